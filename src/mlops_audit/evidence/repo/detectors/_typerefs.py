"""Rule `compiled-language route reaches the model` of `serves_model` (session 16, poly16; conventions §8, §13).

A service written in Java/Kotlin/Scala, Go, C# or Rust answers requests in a handler its web framework
registers (each framework's documented registration: an annotated controller method, a router call
with a path, a route attribute), and the handler reaches the model through the project's own types and
functions: the controller holds a service, the service a model class, the model class loads the
trained model through an inference runtime's documented loading API (ONNX Runtime, DJL, TensorFlow,
ML.NET, tract, ...), or asks a generative model (an SDK's chat call, or an HTTP call to a model
protocol's path: OpenAI-compatible `/chat/completions`, Anthropic `/v1/messages`, Ollama
`/api/generate`) while the chain holds something of the team's own - a system prompt, a prompt
builder or template, retrieval (§13: a thin pass-through to a hosted model is not serving).

How files reach each other is the same in these languages: code in one file names the types (and,
in Go and Kotlin, the functions) another file declares - same package or imported, no relative paths.
So a file reaches another when it names something only a few files declare (a name declared by more
than MAX_CANDIDATES files is too common to follow). Reachability is over-approximated this way; the
entry test and the model test are exact. Not read: tests, examples/samples/demos, vendored and
generated code, build output. Nothing is run. Each language's vocabulary is in its module
(`_jvm`, `_golang`, `_dotnet`, `_rust`); files of a language are read only when the tree has them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mlops_audit.evidence.repo.detectors._jsroutes import reaching
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.registry import at

MAX_FILE_BYTES = 512 * 1024
MAX_FILES = 3000  # files whose references are read, per language
MAX_CANDIDATES = 6  # files one name may be declared in; more is a name too common to follow
MIN_NAME = 4  # shorter declared names are not followed

NOT_SOURCE = re.compile(
    r"(^|/)(tests?|spec|specs|__tests__|testdata|test-data|fixtures|examples?|samples?|demos?|tutorials?|playground|sandbox|scratch|benchmarks?|"
    r"vendor|third_party|thirdparty|node_modules|target|build|out|bin|obj|\.gradle|generated|gen)/"
    r"|(^|/)src/(?:test|it|[a-z]\w*Test)/|_test\.go$|(?-i:Tests?)\.cs$|(^|/)[^/]*\.(?:Unit|Integration|Functional)?Tests?(?:\.[^/]*)?/",
    re.IGNORECASE,
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{3,}")
# A generative model asked over HTTP by its protocol's documented path (any language, any client), in
# a URL the code builds: after a host, an interpolated base (`"$baseUrl/..."`, `"%s/..."`, `$"{url}/..."`,
# `"{}/..."`) or a concatenation (`base + "/..."`). A bare `"/api/chat"` is a route the service declares.
MODEL_PROTOCOL_PATH = (
    r"""(?:["'`](?:https?://|%[sv]|\$\{?[A-Za-z_]|\{[A-Za-z_]?\w*\})[^"'`\n]{0,200}?|\+[^\S\n]*["'`])"""
    r"""(?:/chat/completions|/v1/completions|/v1/messages|/api/generate|/api/chat|:generateContent|:streamGenerateContent)\b"""
)
MODEL_PROTOCOL_WORDS = ("/chat/completions", "/v1/completions", "/v1/messages", "/api/generate", "/api/chat", "generateContent")
# Something of the team's own in a generative chain (§13): a system prompt or instructions, a prompt
# builder or template, retrieval over its documents. Written for C-family languages.
OWN_CHAIN = re.compile(
    r"""(?i:system[_ ]?(?:prompt|message|instruction)s?|prompt[_ ]?(?:template|builder)|build[_ ]?prompt|\bprompts?/)|"""
    r"""["']role["']\s*(?:to|:|,|=>)\s*["']system["']|\bRole\.System\b|\bSystemMessage\b|\bSystemChatMessage\b|\bChatMessage\.system\b|"""
    r"""\.(?:defaultSystem|system|preamble)\s*\(\s*["'`]|"""
    r"""\b(?:Embedding|Vector)Store\w*|\bretriever\b|\bRetriever\b|\bsimilarity_?[Ss]earch\w*|\bnearest\w*\s*\(|\bembed(?:dings?)?\s*\(|"""
    r"""\b(?:pgvector|qdrant|Qdrant|pinecone|Pinecone|weaviate|Weaviate|milvus|Milvus|chroma|Chroma)\b"""
)


@dataclass(frozen=True)
class Language:
    """One language's reading of the rule (see the module docstring)."""

    name: str
    suffixes: tuple[str, ...]
    declares: re.Pattern[str]  # group 1: a type or function name the file declares
    entry: Callable[[str, str], int | None]  # (path, text) -> line of the first request handler, or None
    model_words: tuple[str, ...]  # literal words one of which every loads/asks match holds
    loads: re.Pattern[str]  # a trained model loaded through an inference runtime
    asks: re.Pattern[str]  # a generative model asked (SDK call or protocol path)
    own: re.Pattern[str] = OWN_CHAIN


def first_line(text: str, pattern: re.Pattern[str]) -> int | None:
    match = pattern.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


_MAIN_SOURCE_SET = re.compile(r"(?:^|/)src/main/")


def _folders(path: str) -> str:
    """The part of a path judged by its folder names: a JVM source set's package folders (`com/example/`,
    Spring Initializr's default package) name a namespace, not an examples folder."""
    match = _MAIN_SOURCE_SET.search(path)
    return path[:match.end()] if match else path


def _sources(repo: RepoIndex, language: Language) -> list[str]:
    return [
        p for p in repo.with_suffix(*language.suffixes)
        if not (is_test_path(p) or NOT_SOURCE.search(_folders(p))) and repo.size(p) <= MAX_FILE_BYTES
    ][:MAX_FILES]


def _users(texts: dict[str, str], language: Language) -> dict[str, list[str]]:
    """file -> the files naming something it declares (a name declared in at most MAX_CANDIDATES files)."""
    declared: dict[str, list[str]] = {}
    own: dict[str, set[str]] = {}
    for path, text in texts.items():
        own[path] = {m.group(1) for m in language.declares.finditer(text) if len(m.group(1)) >= MIN_NAME}
        for name in own[path]:
            declared.setdefault(name, []).append(path)
    names = {name: files for name, files in declared.items() if len(files) <= MAX_CANDIDATES}
    users: dict[str, list[str]] = {}
    for path, text in texts.items():
        targets: set[str] = set()
        for word in set(_IDENTIFIER.findall(text)) - own[path]:  # a name the file declares itself means its own
            targets.update(names.get(word, ()))
        for target in targets - {path}:
            users.setdefault(target, []).append(path)
    return users


def routes_reaching_a_model(repo: RepoIndex, language: Language) -> list[Location]:
    """[the request handler, the model load or call] for the first handler of `language` reaching a
    loaded model, or a generative model asked by a chain holding the team's own prompt or retrieval."""
    if not repo.with_suffix(*language.suffixes):
        return []
    sources = _sources(repo, language)
    texts = {path: repo.text(path) or "" for path in sources}
    loads: dict[str, int] = {}
    asks: dict[str, int] = {}
    for path, text in texts.items():
        if any(word in text for word in language.model_words):
            line = first_line(text, language.loads)
            if line is not None:
                loads[path] = line
            line = first_line(text, language.asks)
            if line is not None:
                asks[path] = line
    if not (loads or asks):
        return []
    users = _users(texts, language)
    reaches_load = reaching(loads, users)
    reaches_ask = reaching(asks, users) if asks else {}
    reaches_own = reaching([p for p, t in texts.items() if language.own.search(t)], users) if asks else {}
    for path in sources:
        model = reaches_load.get(path) or (reaches_ask.get(path) if path in reaches_own else None)
        if model is None:
            continue
        entry = language.entry(path, texts[path])
        if entry is not None:
            return [at(path, entry), at(model, loads.get(model) or asks[model])]
    return []


def shape(description: str, language: Language) -> tuple[str, Callable[[RepoIndex], list[Location]]]:
    """A `serves_model` in-house shape (description, rule) for one language."""
    def rule(repo: RepoIndex) -> list[Location]:
        return routes_reaching_a_model(repo, language)
    return description, rule
