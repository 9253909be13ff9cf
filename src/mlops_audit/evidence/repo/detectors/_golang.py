"""Go services, read by the published conventions of Go's web frameworks and inference bindings
(session 16, poly16). Rule `compiled-language route reaches the model` (`_typerefs`) for Go.

Request handlers by each router's documented registration: net/http (`http.HandleFunc("/x", h)`,
`mux.Handle(...)`, Go 1.22 patterns `"POST /x"`), gin and echo (`r.POST("/x", h)`), chi and fiber
(`r.Post("/x", h)`), gorilla/mux (`r.HandleFunc("/x", h)`); gRPC servers (`pb.RegisterXServer`) and
AWS Lambda (`lambda.Start(h)`) answer each call too. A call on a value returned by a call
(`client.R().Post("/x")`, resty) is an HTTP client's, not a route. Go code reaches another package's
code by `pkg.Name` and its own package's by the bare name: both name what the other file declares.

A trained model loaded through a Go inference binding (onnxruntime_go sessions, TensorFlow's
`LoadSavedModel` and tfgo, gorgonnx/onnx-go, the XGBoost/LightGBM leaves ports), or a generative
model asked through an SDK (openai-go, go-openai, anthropic-sdk-go, langchaingo, Google's genai,
Ollama's api client) or a model protocol's HTTP path.
"""

from __future__ import annotations

import re

from mlops_audit.evidence.repo.detectors import _typerefs
from mlops_audit.evidence.repo.index import RepoIndex

_ROUTE = re.compile(
    r"""\b\w+\.(?:HandleFunc|Handle|GET|POST|PUT|PATCH|DELETE|Any|Get|Post|Put|Patch|Delete|Route|Group)\([^\S\n]*"(?:(?:GET|POST|PUT|PATCH|DELETE)[^\S\n]+)?/|"""
    r"""\b\w+\.Register\w+Server\s*\(|\blambda\.Start\s*\("""
)
_DECLARES = re.compile(r"^(?:func[^\S\n]+(?:\([^)\n]{0,200}\)[^\S\n]*)?|type[^\S\n]+)([A-Za-z_]\w*)", re.MULTILINE)
_LOADS = re.compile(
    r"\bort\.New(?:Advanced|Dynamic(?:Advanced)?)?Session\w*\s*\(|\bonnxruntime\w*\.New\w*Session\w*\s*\(|\btf\.LoadSavedModel\s*\(|\btg\.LoadModel\s*\(|"
    r"\bgorgonnx\.NewGraph\s*\(|\bonnx\.NewModel\s*\(|\bleaves\.(?:XGEnsembleFromFile|LGEnsembleFromFile|XGEnsembleFromReader|LGEnsembleFromReader)\s*\("
)
_ASKS = re.compile(
    r"\.Chat\.Completions\.New(?:Streaming)?\s*\(|\.CreateChatCompletion(?:Stream)?\s*\(|\.Messages\.New(?:Streaming)?\s*\(|"
    r"\bllms\.GenerateFromSinglePrompt\s*\(|\.GenerateContent\s*\(|\.Models\.GenerateContent\w*\s*\(|\bapi\.ChatRequest\b|\bapi\.GenerateRequest\b|"
    + _typerefs.MODEL_PROTOCOL_PATH
)
_MODEL_WORDS = (
    "Session", "LoadSavedModel", "LoadModel", "gorgonnx", "onnx.NewModel", "leaves.", "Completions.New", "CreateChatCompletion", "Messages.New",
    "GenerateFromSinglePrompt", "GenerateContent", "ChatRequest", "GenerateRequest", *_typerefs.MODEL_PROTOCOL_WORDS,
)

LANGUAGE = _typerefs.Language(
    name="Go", suffixes=(".go",), declares=_DECLARES, entry=lambda _, text: _typerefs.first_line(text, _ROUTE),
    model_words=_MODEL_WORDS, loads=_LOADS, asks=_ASKS,
)
SHAPES = (
    _typerefs.shape(
        "a Go service's route (net/http, gin, echo, chi, fiber, gRPC, Lambda) reaches a model loaded through an inference binding "
        "(onnxruntime_go, TensorFlow) or the team's chain asking a generative model",
        LANGUAGE,
    ),
)


# Rule `fixed build versions` of `pins_dependencies` (see `_jvm`), read for Go modules ("Go Modules
# Reference", minimal version selection): a build uses exactly the versions go.mod's `require`
# directives name (a module's own requirements can only raise them to versions also written in some
# go.mod), so a go.mod pins what it requires; go.sum (a lock in governance) adds their checksums.
_REQUIRE_BLOCK = re.compile(r"^require[^\S\n]*\(", re.MULTILINE)
_REQUIRE_LINE = re.compile(r"^require[^\S\n]+\S+[^\S\n]+v\S+", re.MULTILINE)
_MODULE_VERSION = re.compile(r"^[^\S\n]*\S+[^\S\n]+v\d\S*", re.MULTILINE)
MAX_GO_MOD_BYTES = 512 * 1024


def build_pinning(repo: RepoIndex) -> list[tuple[str, int, int, list[str]]]:
    """(go.mod, requirements, requirements, []) for each go.mod requiring at least one module."""
    found = []
    for path in repo.named("go.mod")[:200]:
        if repo.size(path) > MAX_GO_MOD_BYTES:
            continue
        text = repo.text(path) or ""
        required, at_ = len(_REQUIRE_LINE.findall(text)), 0
        while (block := _REQUIRE_BLOCK.search(text, at_)) is not None:  # each block read up to its `)`, once
            end = text.find(")", block.end())
            end = len(text) if end < 0 else end
            required += len(_MODULE_VERSION.findall(text, block.end(), end))
            at_ = end + 1
        if required:
            found.append((path, required, required, []))
    return found
