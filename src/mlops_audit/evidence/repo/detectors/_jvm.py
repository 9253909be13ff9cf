"""Systems built on the JVM (Java, Kotlin, Scala; Maven, Gradle, sbt), read by their build tools'
published conventions (session 16, poly16). Nothing is run or resolved; build files are read as text.

Rule `fixed build versions` of `pins_dependencies` (conventions §4: the files that install the
system pin what it uses). Maven and Gradle have no lock by default; a build resolves the same graph
every time when each version it declares is a fixed version:
- Maven ("POM Reference", dependency version requirement syntax): `1.2.3` is the version used unless
  another one comes nearer in the tree; a range (`[1.0,2.0)`, `(,1.0]`) or the `LATEST`/`RELEASE`
  meta-versions float, and a `-SNAPSHOT` of someone else's artifact changes under the same name. A
  dependency without a version takes it from dependency management (a parent or an imported BOM,
  whose versions are fixed the same way); `${name}` is read from the POM's `<properties>`.
- Gradle ("Declaring Versions and Ranges", "Dynamic Versions"): `group:name:1.2.3` in a dependency
  declaration or a version catalog (`gradle/libs.versions.toml`) is fixed; `1.+`, `latest.release`,
  `latest.integration`, ranges and snapshots are dynamic. Gradle's own lockfiles are locks (governance).
Counted per build file: all fixed pins; some floating is graded by the share fixed. The project's own
modules (its groupId, `${project.version}`) are not dependencies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from mlops_audit.evidence.repo.detectors import _typerefs
from mlops_audit.evidence.repo.index import RepoIndex

MAX_BUILD_FILE_BYTES = 512 * 1024
MAX_BUILD_FILES = 200
BUILD_FILES = ("pom.xml", "build.gradle", "build.gradle.kts", "libs.versions.toml")

_VENDORED = re.compile(r"(^|/)(node_modules|vendor|third_party|thirdparty|target|build|\.gradle|\.mvn)/")
_TAG = {name: re.compile(rf"<{name}>([^<]*)</{name}>") for name in ("groupId", "artifactId", "version")}
_PROPERTY = re.compile(r"<([\w.\-]{1,200})>([^<]*)</\1>")
_PLACEHOLDER = re.compile(r"\$\{([^}\n]{1,100})\}")
# A Gradle dependency declared by its coordinates (`implementation("g:a:1.2.3")`, `api 'g:a:1.2.3'`,
# `platform("g:bom:1.2.3")`): the configuration name ends the word before the quoted coordinates.
_GRADLE_COORDINATES = re.compile(
    r"""\b(?:implementation|api|compileOnly|runtimeOnly|annotationProcessor|kapt|ksp|classpath|platform|enforcedPlatform|[a-z]\w*(?:Implementation|Api|RuntimeOnly|CompileOnly))"""
    r"""[^\S\n]*\(?[^\S\n]*["']([\w.\-]+):([\w.\-]+):([^"'\s:@]+)(?:@\w+)?["']"""
)


def floating(version: str) -> bool:
    """A version a build may resolve differently tomorrow (Maven ranges and meta-versions, Gradle
    dynamic versions, snapshots)."""
    lowered = version.strip().lower()
    return (
        lowered.startswith(("[", "(")) or "," in lowered or "+" in lowered or lowered in ("latest", "release")
        or lowered.startswith("latest.") or lowered.endswith("-snapshot")
    )


MAX_LOOSE_NAMED = 5  # floating versions named per build file


def version_tally(declared: Iterable[tuple[str, str]], is_floating: Callable[[str], bool] = floating) -> tuple[int, int, list[str]]:
    """(versions fixed, versions declared, the first floating ones as "name version") of a build
    file's (name, version) declarations, in order; shared by the JVM, NuGet readers."""
    fixed, total, loose = 0, 0, []
    for name, value in declared:
        total += 1
        if not is_floating(value):
            fixed += 1
        elif len(loose) < MAX_LOOSE_NAMED:
            loose.append(f"{name} {value}")
    return fixed, total, loose


def _blocks(text: str, tag: str) -> list[str]:
    """The contents of each `<tag>...</tag>` (not nested), found in one pass (no backtracking)."""
    found, start = [], text.find(f"<{tag}>")
    while start >= 0:
        end = text.find(f"</{tag}>", start)
        if end < 0:
            break
        found.append(text[start + len(tag) + 2:end])
        start = text.find(f"<{tag}>", end)
    return found


def _without_comments(text: str) -> str:
    parts, start = [], 0
    while (opened := text.find("<!--", start)) >= 0:
        parts.append(text[start:opened])
        closed = text.find("-->", opened)
        start = len(text) if closed < 0 else closed + 3
    parts.append(text[start:])
    return "".join(parts)


def _tag(block: str, name: str) -> str | None:
    match = _TAG[name].search(block)
    return match.group(1).strip() if match else None


def _maven_group(text: str) -> str | None:
    """The POM's own groupId: declared before its dependencies, else inherited from its parent."""
    parent = _blocks(text, "parent")
    head = text.split("<dependenc", 1)[0]
    if parent:
        head = head.replace(parent[0], "")
    return _tag(head, "groupId") or (_tag(parent[0], "groupId") if parent else None)


def _maven_versions(text: str, own_groups: set[str]) -> tuple[int, int, list[str]]:
    properties = {m.group(1): m.group(2).strip() for block in _blocks(text, "properties") for m in _PROPERTY.finditer(block)}

    def declared() -> Iterator[tuple[str, str]]:
        for block in _blocks(text, "dependency"):
            group_id = _tag(block, "groupId") or ""
            if group_id == "${project.groupId}" or group_id in own_groups:
                continue  # a module of this repository's own build
            value = _tag(block, "version") or ""  # no version: dependency management decides (fixed)
            if value in ("${project.version}", "${version}"):
                continue
            yield _tag(block, "artifactId") or group_id, _PLACEHOLDER.sub(lambda m: properties.get(m.group(1), m.group(0)), value)

    return version_tally(declared())


def _gradle_versions(text: str) -> tuple[int, int, list[str]]:
    return version_tally((match.group(2), match.group(3)) for match in _GRADLE_COORDINATES.finditer(text))


def _catalog_versions(repo: RepoIndex, path: str) -> tuple[int, int, list[str]]:
    """A Gradle version catalog: each `[versions]` entry and each library's own `version`."""
    data = repo.toml(path) or {}
    values: list[tuple[str, object]] = list((data.get("versions") or {}).items()) if isinstance(data.get("versions"), dict) else []
    for name, library in (data.get("libraries") or {}).items() if isinstance(data.get("libraries"), dict) else ():
        if isinstance(library, str) and library.count(":") == 2:
            values.append((name, library.rsplit(":", 1)[1]))
        elif isinstance(library, dict) and isinstance(library.get("version"), (str, dict)):
            values.append((name, library["version"]))
    # a rich version: {strictly|require|prefer = "..."}
    rich = ((name, (value.get("strictly") or value.get("require") or value.get("prefer") or "") if isinstance(value, dict) else value) for name, value in values)
    return version_tally((name, value) for name, value in rich if isinstance(value, str))


def build_pinning(repo: RepoIndex) -> list[tuple[str, int, int, list[str]]]:
    """(build file, versions fixed, versions declared, floating ones) for each Maven POM, Gradle build
    file and version catalog declaring at least one dependency version."""
    files = [p for p in repo.named(*BUILD_FILES)[:MAX_BUILD_FILES] if not _VENDORED.search(p) and repo.size(p) <= MAX_BUILD_FILE_BYTES]
    poms = {p: _without_comments(repo.text(p) or "") for p in files if p.endswith(".xml")}
    own_groups = {group for text in poms.values() if (group := _maven_group(text))}
    found = []
    for path in files:
        if path.endswith(".toml"):
            counted = _catalog_versions(repo, path)
        elif path in poms:
            counted = _maven_versions(poms[path], own_groups)
        else:
            counted = _gradle_versions(repo.text(path) or "")
        if counted[1]:
            found.append((path, *counted))
    return found


# Rule `compiled-language route reaches the model` (`_typerefs`), read for the JVM. Request handlers,
# by each framework's documented registration: Spring MVC/WebFlux (`@RestController`/`@Controller`
# classes with `@GetMapping`/`@PostMapping`/`@RequestMapping` methods), Jakarta REST as Quarkus,
# Jersey, Helidon and Dropwizard use it (`@Path` resources with `@GET`/`@POST`), Micronaut
# (`@Controller` with `@Get`/`@Post`), and the routing DSLs of Ktor (`routing { post("/x") { } }`),
# Javalin, Spark, Vert.x Web, http4k and Jooby (a router call with a path, in a file importing the
# framework); gRPC services (`extends XGrpc.XImplBase`) and AWS Lambda handlers (`RequestHandler<`)
# answer each call too.
_JVM_CONTROLLER = re.compile(r"@(?:RestController|Controller|Path)\b")
_JVM_HANDLER = re.compile(r"@(?:(?:Get|Post|Put|Patch|Delete|Request)Mapping|GET|POST|PUT|PATCH|DELETE|Get|Post|Put|Patch|Delete)\b")
_JVM_DSL_IMPORT = re.compile(r"^import[^\S\n]+(?:static[^\S\n]+)?(?:io\.ktor\.server|io\.javalin|spark\.|io\.vertx\.(?:ext\.web|core\.http)|org\.http4k|io\.jooby)", re.MULTILINE)
_JVM_DSL_ROUTE = re.compile(
    r"""(?<![\w.])(?!(?:client|httpClient|http|restTemplate|webClient|api|request)\.)(?:\w+\.)?(?:post|get|put|patch|delete|route|path)"""
    r"""[^\S\n]*(?:<[^>\n]{1,100}>)?[^\S\n]*\([^\S\n]*"/|\brouting[^\S\n]*\{|"/[^"\n]*"[^\S\n]+bind[^\S\n]+(?:GET|POST|PUT)\b"""
)
_JVM_SERVICE = re.compile(r"\bextends[^\S\n]+\w+Grpc\.\w+ImplBase\b|:[^\S\n]*\w+GrpcKt\.\w+CoroutineImplBase\b|\bimplements[^\S\n]+RequestHandler<")
_JVM_DECLARES = re.compile(r"\b(?:class|interface|object|enum|record|trait|fun)[^\S\n]+(?:<[^>\n]{1,100}>[^\S\n]*)?(?:[\w.]+\.)?([A-Za-z_]\w*)")
# A trained model loaded through an inference runtime (each library's documented loading call): ONNX
# Runtime (`OrtEnvironment.createSession`), DJL (`Criteria.builder()` ... `loadModel`), TensorFlow Java
# (`SavedModelBundle.load`), XGBoost4J, LightGBM4j, JPMML evaluators, Spark MLlib models, DL4J, H2O MOJO,
# Tribuo, Weka, Smile.
_JVM_LOADS = re.compile(
    r"\.createSession\s*\(|\bCriteria\s*\.\s*builder\s*\(|\bModelZoo\.loadModel\s*\(|\bSavedModelBundle\.load\s*\(|\bXGBoost\.loadModel\s*\(|"
    r"\bLGBMBooster\.(?:loadModelFromString|createFromModelfile)\s*\(|\b(?:LoadingModelEvaluatorBuilder|ModelEvaluatorFactory)\b|\bPMMLUtil\.unmarshal\s*\(|"
    r"\b(?:Pipeline|CrossValidator|TrainValidationSplit|LogisticRegression|RandomForestClassification|RandomForestRegression|GBTClassification|"
    r"GBTRegression|LinearRegression|ALS|KMeans|NaiveBayes|DecisionTreeClassification)Model\.load\s*\(|\bModelSerializer\.restore\w+\s*\(|"
    r"\b(?:MultiLayerNetwork|ComputationGraph)\.load\s*\(|\bKerasModelImport\.import\w+\s*\(|\bMojoModel\.load\s*\(|\bEasyPredictModelWrapper\b|"
    r"\bModel\.deserializeFrom(?:File|Stream)\s*\(|\bSerializationHelper\.read\s*\(|\bsmile\.read\.\w+\s*\("
)
# A generative model asked: Spring AI (a `ChatClient` built or its fluent `.prompt()` call, a `ChatModel`
# held), LangChain4j (`AiServices`, a `ChatLanguageModel`/`ChatModel` held, the `*ChatModel` builders),
# the OpenAI, Azure OpenAI and Anthropic Java SDKs, AWS Bedrock Runtime, Vertex AI `GenerativeModel`, or
# a model protocol's HTTP path.
_JVM_ASKS = re.compile(
    r"\bChatClient\.(?:Builder\b|builder\s*\(|create\s*\()|\.prompt\(\s*\)\s*\.|\b(?:Streaming)?Chat(?:Language)?Model\b|\bAiServices\.(?:create|builder)\s*\(|"
    r"\b\w+(?:Streaming)?ChatModel\.builder\s*\(|\.chat\(\)\s*\.completions\(\)\s*\.create\s*\(|\.getChatCompletions\w*\s*\(|\.messages\(\)\s*\.create\s*\(|"
    r"\.(?:converse|invokeModel)\s*\(|\bnew GenerativeModel\s*\(|" + _typerefs.MODEL_PROTOCOL_PATH
)
_JVM_MODEL_WORDS = (
    "createSession", "Criteria", "ModelZoo", "SavedModelBundle", "XGBoost", "LGBMBooster", "Evaluator", "PMMLUtil", "Model.load", "ModelSerializer",
    "MultiLayerNetwork", "ComputationGraph", "KerasModelImport", "MojoModel", "EasyPredict", "deserializeFrom", "SerializationHelper", "smile.read",
    "ChatClient", "prompt()", "ChatModel", "ChatLanguageModel", "AiServices", "completions()", "getChatCompletions", "messages()", "converse", "invokeModel",
    "GenerativeModel", *_typerefs.MODEL_PROTOCOL_WORDS,
)


def _jvm_entry(path: str, text: str) -> int | None:
    if _JVM_CONTROLLER.search(text):
        line = _typerefs.first_line(text, _JVM_HANDLER)
        if line is not None:
            return line
    if _JVM_DSL_IMPORT.search(text):
        line = _typerefs.first_line(text, _JVM_DSL_ROUTE)
        if line is not None:
            return line
    return _typerefs.first_line(text, _JVM_SERVICE)


LANGUAGE = _typerefs.Language(
    name="JVM", suffixes=(".java", ".kt", ".scala", ".groovy"), declares=_JVM_DECLARES, entry=_jvm_entry,
    model_words=_JVM_MODEL_WORDS, loads=_JVM_LOADS, asks=_JVM_ASKS,
)
SHAPES = (
    _typerefs.shape(
        "a JVM service's request handler (Spring, Jakarta REST/Quarkus, Micronaut, Ktor, Javalin, gRPC ...) reaches a model loaded through an "
        "inference runtime (ONNX Runtime, DJL, TensorFlow, XGBoost4J, PMML ...) or the team's chain asking a generative model",
        LANGUAGE,
    ),
)
