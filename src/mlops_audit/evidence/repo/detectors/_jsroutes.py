"""Rule `JavaScript route reaches the team's chain` of `serves_model` (session 14, conventions §8, §13).

LLM applications are often written with a Node or TypeScript back end: an Express, Hono, Fastify or
Koa router (`router.post("/chat", handler)`), a Next.js route handler (`export async function POST`
in `app/api/chat/route.ts`) or API page (`pages/api/chat.ts`) answers each request by running the
team's chain - its prompts, its retrieval and the model it asks through an SDK (OpenAI, Anthropic,
Mistral, Google, the Vercel AI SDK's `generateText`/`streamText`, LangChain.js chat models). The
route file reaches the module that calls the model through the project's relative imports (the
router imports the handler, the handler a service, the service the agent...).

Counted only when the module asking the model holds something of the team's own (conventions §13:
a thin pass-through to a hosted model is not serving): a system prompt or prompt template, or
retrieval (embeddings, a vector store, a retriever). Not read: tests, examples and demos, bundles and
dependencies (`node_modules/`, `dist/`, `build/`, `.next/`, minified files), type declarations.
Nothing is run; imports are followed as text, at most MAX_HOPS deep, from the first MAX_FILES files.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable, Iterable

from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.registry import at

SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")
MAX_FILE_BYTES = 512 * 1024
MAX_HOPS = 6
MAX_FILES = 3000  # files whose imports are read, per scan

_NOT_SOURCE = re.compile(
    r"(^|/)(node_modules|dist|build|out|\.next|\.nuxt|coverage|vendor|public|static|__tests__|__mocks__|tests?|e2e|"
    r"examples?|demos?|samples?|tutorials?|playground|sandbox|scratch)/",
    re.IGNORECASE,
)
# A model asked through an SDK: OpenAI/Azure OpenAI chat or responses, Anthropic messages, the
# Vercel AI SDK, LangChain.js chat models, Mistral, Google Generative AI, AWS Bedrock Runtime.
_GENERATION = re.compile(
    r"\.chat\.completions\.create\s*\(|\.responses\.create\s*\(|\.messages\.(?:create|stream)\s*\(|"
    r"\b(?:generateText|streamText|generateObject|streamObject)\s*\(|"
    r"\bnew (?:ChatOpenAI|AzureChatOpenAI|ChatAnthropic|ChatMistralAI|ChatGoogleGenerativeAI|ChatVertexAI|ChatBedrockConverse|ChatOllama|ChatGroq)\s*\(|"
    r"\.chat\.(?:complete|stream)\s*\(|\.getGenerativeModel\s*\(|\bnew (?:ConverseCommand|ConverseStreamCommand|InvokeModelCommand)\s*\("
)
# Something of the team's own beside the call (§13): a system prompt or template, or retrieval.
_OWN_CHAIN = re.compile(
    r"""role\s*:\s*['"]system['"]|\bsystem\s*:\s*[`'"\w]|\bSystemMessage\b|\b(?:system_?prompt|SYSTEM_PROMPT|systemInstruction)\b|"""
    r"""\b(?:Chat)?PromptTemplate\b|\bprompts?/|\bsimilaritySearch\w*\s*\(|\bembeddings\.create\s*\(|\bembed(?:Many|Query|Documents)?\s*\(|"""
    r"""\b(?:vectorStore|VectorStore|retriever|Retriever|pgvector|match_documents)\b"""
)
# A route: a router's registration with a path, a Next.js route handler or API page. A front end's
# HTTP client calling a path (`axios.post("/api/chat")`, `api.get("/x")`) asks a route, it is none.
_ROUTE = re.compile(
    r"""\b(?!(?:axios|http|https|client|api|apiClient|request|ky|got|superagent|instance|fetcher|\$)\.)\w+\.(?:post|get|put|patch|all|route)\s*\(\s*['"`]/|"""
    r"""\bexport\s+(?:async\s+)?function\s+(?:POST|GET|PUT)\b|"""
    r"""\bexport\s+const\s+(?:POST|GET|PUT)\s*(?::[^=\n]{1,200})?="""
)
_NEXT_PAGE = re.compile(r"(^|/)pages/api/")
# Session 15 (poly22), routes of other documented TypeScript back ends: a NestJS controller's handler
# (`@Post()` in a class under `@Controller(...)`), and a Remix / React Router route module (a file
# under `app/routes/`) exporting its `action` or `loader`. SvelteKit's typed `export const POST:
# RequestHandler = ...` is `_ROUTE`'s, and its `$lib/` alias names `src/lib/`.
_NEST_HANDLER = re.compile(r"@(?:Post|Get|Put|Patch|All|Sse)\s*\(")
_ROUTE_MODULE = re.compile(r"(^|/)app/routes/")
_ROUTE_MODULE_EXPORT = re.compile(r"\bexport\s+(?:async\s+)?function\s+(?:action|loader)\b|\bexport\s+const\s+(?:action|loader)\s*(?::[^=\n]{1,200})?=")
# A quoted project specifier, kept when an import keyword precedes it (found from the quote: a
# pattern starting with the keyword alternatives was tried at every position of every file).
_SPECIFIER = re.compile(r"""['"]([.@~][^'"\n]{0,300}|\$lib/[^'"\n]{1,300})['"]""")
_IMPORT_KEYWORDS = ("from", "require(", "import(", "import")
# Literal words one of which any `_GENERATION` match holds: files without one are not searched.
_GENERATION_WORDS = (
    "completions.create", "responses.create", "messages.create", "messages.stream", "generateText", "streamText", "generateObject",
    "streamObject", "new Chat", "new AzureChat", ".chat.complete", ".chat.stream", "getGenerativeModel", "ConverseCommand",
    "ConverseStreamCommand", "InvokeModelCommand",
)
_TRY_SUFFIXES = ("", ".ts", ".tsx", ".js", ".mjs", ".jsx", ".mts", "/index.ts", "/index.js", "/index.tsx", "/index.mjs")


def _sources(repo: RepoIndex) -> list[str]:
    return [
        p for p in repo.with_suffix(*SUFFIXES)
        if not (p.endswith((".d.ts", ".min.js")) or ".test." in p or ".spec." in p or is_test_path(p) or _NOT_SOURCE.search(p))
        and repo.size(p) <= MAX_FILE_BYTES
    ]


def _first_line(text: str, pattern: re.Pattern[str]) -> int | None:
    match = pattern.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


# Session 16 (poly16): a monorepo's own packages. npm, Yarn and pnpm workspaces (the root package.json's
# `workspaces`, pnpm-workspace.yaml's `packages`) link each workspace folder's package under its
# package.json `name`, so `import ... from "@acme/tutor/src/answer"` (or a bare `"tutor"`) is that
# folder's file, and a bare package name is its `main`/`module` entry or `src/index`. Without a
# workspace declaration a name is the registry's package, whatever folder carries it.
_BARE_SPECIFIER = re.compile(r"""['"]([\w@.~][^'"\n]{0,300}|\$lib/[^'"\n]{1,300})['"]""")
_ENTRY_FIELDS = ("main", "module", "types", "source")


def workspace_packages(repo: RepoIndex) -> dict[str, str]:
    """package name -> its folder (with a trailing slash), for the workspaces the repository declares."""
    def compute() -> dict[str, str]:
        globs: list[str] = []
        root = repo.json("package.json") if repo.exists("package.json") and repo.size("package.json") <= 1024 * 1024 else None
        declared = root.get("workspaces") if isinstance(root, dict) else None
        declared = declared.get("packages") if isinstance(declared, dict) else declared
        globs += [g for g in declared or [] if isinstance(g, str)] if isinstance(declared, list) else []
        pnpm = repo.yaml("pnpm-workspace.yaml") if repo.exists("pnpm-workspace.yaml") else None
        listed = pnpm.data.get("packages") if pnpm is not None and isinstance(pnpm.data, dict) else None
        globs += [g for g in listed if isinstance(g, str)] if isinstance(listed, list) else []
        globs = [g.strip().rstrip("/").removeprefix("./") for g in globs if g.strip() and not g.startswith("!")]
        if not globs:
            return {}
        found: dict[str, str] = {}
        for path in repo.named("package.json"):
            folder = path.rpartition("/")[0]
            if not folder or "node_modules/" in path or not any(fnmatch.fnmatchcase(folder, g) for g in globs):
                continue
            data = repo.json(path) if repo.size(path) <= 1024 * 1024 else None
            name = data.get("name") if isinstance(data, dict) else None
            if isinstance(name, str) and name and name not in found:
                found[name] = folder + "/"
        return found
    return repo.memo("js_workspace_packages", compute)  # type: ignore[no-any-return]


def _workspace_file(repo: RepoIndex, spec: str) -> str | None:
    packages = workspace_packages(repo)
    name = next((n for n in packages if spec == n or spec.startswith(n + "/")), None)
    if name is None:
        return None
    folder, rest = packages[name], spec[len(name) + 1:]
    if rest:
        bases = [folder + rest]
    else:
        data = repo.json(folder + "package.json")
        entries = [data.get(f) for f in _ENTRY_FIELDS] if isinstance(data, dict) else []
        bases = [posixpath.normpath(folder + e) for e in entries if isinstance(e, str)] + [folder + "src/index", folder + "index"]
    for base in bases:
        stem = base[:-3] if base.endswith(".js") else base
        for candidate in dict.fromkeys(s + suffix for s in (base, stem) for suffix in _TRY_SUFFIXES):
            if not candidate.startswith("..") and repo.exists(candidate):
                return candidate
    return None


def _imports(text: str, bare: bool = False) -> list[str]:
    found = []
    for match in (_BARE_SPECIFIER if bare else _SPECIFIER).finditer(text):
        before = text[max(0, match.start() - 16):match.start()].rstrip()
        if before.endswith(_IMPORT_KEYWORDS):
            found.append(match.group(1))
    return found


def _resolve(repo: RepoIndex, importer: str, spec: str) -> str | None:
    """The project file an import names: relative (`../services/chat`), or from an alias of the
    source root (`@/lib/chat`, `~/lib/chat`), tried under each folder above the importer."""
    folder = posixpath.dirname(importer)
    if spec.startswith("."):
        bases = [posixpath.normpath(posixpath.join(folder, spec))]
    elif spec.startswith("$lib/"):  # SvelteKit's alias of src/lib, tried under each folder above the importer
        parts = folder.split("/") if folder else []
        bases = [posixpath.join(*parts[:depth], "src/lib", spec[5:]) for depth in range(len(parts), -1, -1)]
    else:
        rest = spec.split("/", 1)[1] if "/" in spec else ""
        if not rest or spec[1:2] not in ("/", ""):
            return _workspace_file(repo, spec)  # `@scope/package`: a workspace package of the repository, or a dependency
        parts = folder.split("/") if folder else []
        bases = [posixpath.join(*parts[:depth], root, rest) if depth or root else rest for depth in range(len(parts), -1, -1) for root in ("src", "")]
    for base in bases:
        stem = base[:-3] if base.endswith(".js") else base  # ESM TypeScript imports `./chat.js` for `chat.ts`
        for candidate in dict.fromkeys(s + suffix for s in (base, stem) for suffix in _TRY_SUFFIXES):
            if not candidate.startswith("..") and repo.exists(candidate):
                return candidate
    return None


def reaching(targets: Iterable[str], importers: dict[str, list[str]], hops: int = MAX_HOPS) -> dict[str, str]:
    """file -> the target file it reaches, for the targets and every file that imports (or, in Ruby,
    names) one of them at most `hops` steps away; `importers` maps a file to the files using it.
    Breadth first, so each file is reached once, by its nearest target (shared with `_ruby`)."""
    reached = {path: path for path in targets}
    frontier = list(reached)
    for _ in range(hops):
        following = []
        for path in frontier:
            for importer in importers.get(path, []):
                if importer not in reached:
                    reached[importer] = reached[path]
                    following.append(importer)
        frontier = following
    return reached


def chain_files(repo: RepoIndex, sources: list[str], generation: re.Pattern[str], words: tuple[str, ...], own: re.Pattern[str]) -> dict[str, int]:
    """file -> the line asking a model, for the files that ask one (`generation`, prefiltered by its
    literal `words`) beside something of the team's own (`own`: a prompt, retrieval). Shared with `_ruby`."""
    chains: dict[str, int] = {}
    for path in sources:
        text = repo.text(path) or ""
        line = _first_line(text, generation) if any(word in text for word in words) else None
        if line is not None and own.search(text):
            chains[path] = line
    return chains


def first_entry_reaching(
    repo: RepoIndex, sources: list[str], chains: dict[str, int], users: dict[str, list[str]], entry_line: Callable[[str, str], int | None]
) -> list[Location]:
    """[the entry, the call asking the model] for the first source file (in order) that reaches a chain
    over `users` and answers requests (`entry_line(path, text)` finds where). Shared with `_ruby`."""
    asks = reaching(chains, users)
    for path in sources:
        if path in asks:
            entry = entry_line(path, repo.text(path) or "")
            if entry is not None:
                chain = asks[path]
                return [at(path, entry), at(chain, chains[chain])]
    return []


def _route_line(path: str, text: str) -> int | None:
    if _NEXT_PAGE.search(path):
        return 1
    line = _first_line(text, _ROUTE)
    if line is None and "@Controller" in text:
        line = _first_line(text, _NEST_HANDLER)
    if line is None and _ROUTE_MODULE.search(path):
        line = _first_line(text, _ROUTE_MODULE_EXPORT)
    return line


def _importers(repo: RepoIndex, sources: list[str]) -> dict[str, list[str]]:
    """file -> the project files importing it (relative or aliased imports), read once per scan."""
    def compute() -> dict[str, list[str]]:
        importers: dict[str, list[str]] = {}
        bare = bool(workspace_packages(repo))
        for path in sources[:MAX_FILES]:
            for spec in dict.fromkeys(_imports(repo.text(path) or "", bare)):
                target = _resolve(repo, path, spec)
                if target is not None and target != path:
                    importers.setdefault(target, []).append(path)
        return importers
    return repo.memo("js_importers", compute)  # type: ignore[no-any-return]


def routes_reaching_a_chain(repo: RepoIndex) -> list[Location]:
    """[the route, the call asking the model] for the first JS/TS route reaching the team's chain.
    Walked backwards from the chains over the import graph, so each file's imports are read once."""
    sources = _sources(repo)
    chains = chain_files(repo, sources, _GENERATION, _GENERATION_WORDS, _OWN_CHAIN)
    if not chains:
        return []
    return first_entry_reaching(repo, sources, chains, _importers(repo, sources), _route_line)


# Rule `JavaScript route reaches a loaded model` (session 16, poly16): the same routes answering with a
# trained model a JavaScript inference runtime loads - onnxruntime-node/-web (`InferenceSession.create`),
# TensorFlow.js (`tf.loadLayersModel` / `tf.loadGraphModel`) and transformers.js (`pipeline("task", ...)`
# from `@huggingface/transformers` / `@xenova/transformers`), each library's documented loading call.
# A page loading the model in the visitor's browser has no route: it is not a service (§8).
_LOADS = re.compile(r"\bInferenceSession\.create\s*\(|\b(?:loadLayersModel|loadGraphModel)\s*\(|\bpipeline\s*\(\s*['\"`][\w-]+['\"`]")
_LOAD_WORDS = ("InferenceSession", "loadLayersModel", "loadGraphModel", "pipeline")
_TRANSFORMERS_JS = ("@huggingface/transformers", "@xenova/transformers")


def routes_reaching_a_loaded_model(repo: RepoIndex) -> list[Location]:
    """[the route, the model load] for the first JS/TS route reaching a model a JavaScript runtime loads."""
    sources = _sources(repo)
    loads: dict[str, int] = {}
    for path in sources:
        text = repo.text(path) or ""
        if any(word in text for word in _LOAD_WORDS):
            match = _LOADS.search(text)
            if match and (not match.group(0).startswith("pipeline") or any(name in text for name in _TRANSFORMERS_JS)):
                loads[path] = text.count("\n", 0, match.start()) + 1
    if not loads:
        return []
    return first_entry_reaching(repo, sources, loads, _importers(repo, sources), _route_line)
