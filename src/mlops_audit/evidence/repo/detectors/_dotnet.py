""".NET services, read by ASP.NET Core's, Azure Functions' and ML.NET's published conventions
(session 16, poly16). Rule `compiled-language route reaches the model` (`_typerefs`) for C#/F#.

Request handlers: controller actions (`[ApiController]`/`ControllerBase` classes with
`[HttpGet]`/`[HttpPost]`... attributes), minimal API endpoints (`app.MapPost("/x", ...)`), Azure
Functions (`[HttpTrigger]`, and the queue/Service Bus/Event Hub/Blob/Kafka triggers a function
answers each message with: a stream consumer, §8), gRPC services (`: X.XBase` with overrides). C#
code in one project reaches another class by its name (same namespace or `using`), which is what
`_typerefs` follows.

A trained model loaded: ML.NET (`mlContext.Model.Load`, `CreatePredictionEngine`,
`PredictionEnginePool` and its `FromFile`/`FromUri`), ONNX Runtime (`new InferenceSession`),
TorchSharp (`torch.jit.load`), TensorFlow.NET (`LoadFromSavedModel`); or a generative model asked:
OpenAI .NET (`CompleteChat`), Azure.AI.OpenAI (`GetChatCompletions`), Semantic Kernel
(`InvokePromptAsync`, `GetChatMessageContentAsync`), Microsoft.Extensions.AI (`GetResponseAsync` on a
chat client), or a model protocol's HTTP path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_audit.evidence.repo.detectors import _typerefs
from mlops_audit.evidence.repo.detectors._jvm import version_tally
from mlops_audit.evidence.repo.index import RepoIndex

_CONTROLLER = re.compile(r"\[ApiController\b|:\s*(?:Controller|ControllerBase)\b")
_ACTION = re.compile(r"\[Http(?:Get|Post|Put|Patch|Delete)\b")
_ENDPOINT = re.compile(
    r"""\.Map(?:Get|Post|Put|Patch|Delete|Methods)\s*\(\s*(?:@?"|\$")|\[(?:HttpTrigger|QueueTrigger|ServiceBusTrigger|EventHubTrigger|BlobTrigger|KafkaTrigger)\b|"""
    r"""\bpublic[^\S\n]+override[^\S\n]+(?:async[^\S\n]+)?Task<\w+>[^\S\n]+\w+\([^)\n]{0,300}?ServerCallContext\b"""
)
_DECLARES = re.compile(r"\b(?:class|interface|record|struct|enum)[^\S\n]+([A-Za-z_]\w*)")
_LOADS = re.compile(
    r"\.Model\.Load\s*\(|\.CreatePredictionEngine\s*<|\bPredictionEnginePool\s*<|\bAddPredictionEnginePool\s*<|\bnew[^\S\n]+InferenceSession\s*\(|"
    r"\btorch\.jit\.load\s*\(|\.LoadFromSavedModel\s*\("
)
_ASKS = re.compile(
    r"\.CompleteChat(?:Async|Streaming\w*)?\s*\(|\.GetChatCompletions(?:Async|Streaming\w*)?\s*\(|\.InvokePromptAsync\s*\(|\.GetChatMessageContents?Async\s*\(|"
    r"\.GetStreamingChatMessageContentsAsync\s*\(|\.GetResponseAsync\s*\(|\.GetStreamingResponseAsync\s*\(|" + _typerefs.MODEL_PROTOCOL_PATH
)
_MODEL_WORDS = (
    "Model.Load", "PredictionEngine", "InferenceSession", "torch.jit", "LoadFromSavedModel", "CompleteChat", "GetChatCompletions", "InvokePromptAsync",
    "ChatMessageContent", "GetResponseAsync", "GetStreamingResponseAsync", *_typerefs.MODEL_PROTOCOL_WORDS,
)


def _entry(_: str, text: str) -> int | None:
    if _CONTROLLER.search(text):
        line = _typerefs.first_line(text, _ACTION)
        if line is not None:
            return line
    return _typerefs.first_line(text, _ENDPOINT)


LANGUAGE = _typerefs.Language(
    name=".NET", suffixes=(".cs", ".fs"), declares=_DECLARES, entry=_entry, model_words=_MODEL_WORDS, loads=_LOADS, asks=_ASKS,
)
SHAPES = (
    _typerefs.shape(
        "a .NET service's endpoint (ASP.NET Core controller or minimal API, Azure Function trigger, gRPC service) reaches a model loaded through "
        "ML.NET or ONNX Runtime, or the team's chain asking a generative model",
        LANGUAGE,
    ),
)


# Rule `fixed build versions` of `pins_dependencies` (see `_jvm`), read for NuGet ("Package versioning",
# "Central Package Management"): `Version="3.0.1"` is a minimum and NuGet restores the lowest applicable
# version - 3.0.1, every time; floating versions (`3.*`, `*-*`) and ranges (`[3.0,)`) resolve to what
# is newest. A reference without a version takes it from Directory.Packages.props (central management).
_PACKAGE_ITEM = re.compile(r"<Package(Reference|Version)\b([^>]{0,500})>")
_ATTRIBUTE = {name: re.compile(rf"""\b{name}[^\S\n]*=[^\S\n]*["']([^"'\n]{{0,200}})["']""") for name in ("Include", "Version", "VersionOverride")}
PROJECT_FILES = (".csproj", ".fsproj", ".vbproj")
MAX_PROJECT_BYTES = 512 * 1024


def _floating(value: str) -> bool:
    return "*" in value or value.startswith(("[", "("))


def _declared(text: str, central: bool) -> Iterator[tuple[str, str]]:
    """(package, version) of each item; an item without a version is fixed by central management
    (its version "" counts fixed) and is not counted without it."""
    for item in _PACKAGE_ITEM.finditer(text):
        attributes = item.group(2)
        version = _ATTRIBUTE["VersionOverride"].search(attributes) or _ATTRIBUTE["Version"].search(attributes)
        if version is None and not central:
            continue
        name = _ATTRIBUTE["Include"].search(attributes)
        yield (name.group(1) if name else "?"), version.group(1).strip() if version else ""


def build_pinning(repo: RepoIndex) -> list[tuple[str, int, int, list[str]]]:
    """(project or props file, versions fixed, versions declared, floating ones) for each NuGet file declaring one."""
    files = [p for p in repo.with_suffix(*PROJECT_FILES) + repo.named("Directory.Packages.props") if repo.size(p) <= MAX_PROJECT_BYTES]
    central = bool(repo.named("Directory.Packages.props"))
    found = []
    for path in files[:200]:
        fixed, total, loose = version_tally(_declared(repo.text(path) or "", central), _floating)
        if total:
            found.append((path, fixed, total, loose))
    return found
