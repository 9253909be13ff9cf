"""Rule `route reaches a model API` of `serves_model` (session 16, role16; conventions §8, §13, §16.8).

A model is asked through a published interface whatever client sends the request: the OpenAI-compatible
REST API (`POST /v1/chat/completions`, `/v1/completions`, `/v1/responses` - OpenAI, Azure OpenAI's
`/openai/deployments/{name}/chat/completions`, and the servers and gateways that implement it: vLLM,
Ollama's `/v1`, LM Studio, Groq, Together, OpenRouter, Cloudflare AI Gateway / Workers AI), Anthropic's
Messages API (`POST /v1/messages`), Gemini / Vertex AI (`models/{model}:generateContent`,
`:streamGenerateContent`, an endpoint's `:predict`), Ollama's own API (`/api/generate`, `/api/chat` on
its port 11434), the Hugging Face inference router (`router.huggingface.co`, `api-inference.huggingface.co`),
Bedrock Runtime (`bedrock-runtime` host) and SageMaker Runtime (`runtime.sagemaker` host). Sent by `fetch`,
axios, got, ky, undici or any `.post(...)`; or through the documented SDK calls the SDK rule of `_jsroutes`
does not list (Google's `ai.models.generateContent`, `@huggingface/inference`'s `chatCompletion` /
`textGeneration`, the `ollama` package's `chat` / `generate`).

Counted when a back-end entry reaches such a module over the project's imports: a router registration or
route file (`_jsroutes`), or a fetch-handler module - the documented entry of Cloudflare Workers, Deno and
Bun (`export default { fetch(request) {...} }`, `Deno.serve(...)`, `Bun.serve(...)`) - and the team's own
part (§13: a prompt, retrieval) is in a file on that import path (the route, the service it calls, the
client), not necessarily beside the request. A front-end page posting to its own route, a script no entry
reaches and a pass-through with nothing of the team's do not count.
"""

from __future__ import annotations

import re

from mlops_audit.evidence.repo.detectors import _jsroutes
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.registry import at

# A quoted string (or template) naming a model API's path or host.
_Q = r"""['"`][^'"`\n]{0,300}?"""
MODEL_API = re.compile(
    _Q + r"(?:/chat/completions\b|/v1/completions\b|/v1/responses\b|/v1/messages\b|:(?:stream)?[gG]enerateContent\b"
    r"|/endpoints/[^'\"`\s]{0,200}:predict\b|router\.huggingface\.co|api-inference\.huggingface\.co|bedrock-runtime\.|runtime\.sagemaker\."
    r"|(?::11434|ollama)[^'\"`\n]{0,200}?/api/(?:generate|chat)\b)"
)
# The documented SDK calls `_jsroutes._GENERATION` does not list.
_SDK_CALL = re.compile(
    r"\.models\.(?:generateContent|generateContentStream)\s*\(|\.(?:chatCompletion|chatCompletionStream|textGeneration|textGenerationStream)\s*\("
    r"|\bollama\.(?:chat|generate)\s*\("
)
_WORDS = ("completions", "/v1/responses", "/v1/messages", "enerateContent", ":predict", "huggingface.co", "bedrock-runtime",
          "runtime.sagemaker", "/api/generate", "/api/chat", "chatCompletion", "textGeneration", "ollama.")
# An HTTP request sent from the module (the SDK calls send their own).
_SENDS = re.compile(r"\bfetch\w*\s*\(|\baxios\b|\bgot\s*\(|\bky\b|\bundici\b|\.post\s*\(|\brequest\s*\(")
# The documented fetch-handler entries: a module worker's default export, Deno.serve, Bun.serve.
_FETCH_HANDLER = re.compile(r"\bexport\s+default\s*\{[^{}]{0,2000}?\bfetch\b|\b(?:Deno|Bun)\.serve\s*\(")


def _asks_a_model(text: str) -> int | None:
    """The line of the first model-API request (or documented SDK call) in a module's text."""
    if not any(word in text for word in _WORDS):
        return None
    match = MODEL_API.search(text)
    if match is not None and _SENDS.search(text):
        return text.count("\n", 0, match.start()) + 1
    call = _SDK_CALL.search(text)
    return None if call is None else text.count("\n", 0, call.start()) + 1


def _entry_line(path: str, text: str) -> int | None:
    line = _jsroutes._route_line(path, text)
    if line is None:
        match = _FETCH_HANDLER.search(text)
        line = None if match is None else text.count("\n", 0, match.start()) + 1
    return line


def routes_reaching_a_model_api(repo: RepoIndex) -> list[Location]:
    """[the entry, the request to the model API] for the first back-end entry whose import path reaches a
    module asking a model through its API, with the team's prompt or retrieval on that path."""
    sources = _jsroutes._sources(repo)
    calls: dict[str, int] = {}
    for path in sources:
        line = _asks_a_model(repo.text(path) or "")
        if line is not None:
            calls[path] = line
    if not calls:
        return []
    importers: dict[str, list[str]] = {}
    for path in sources[: _jsroutes.MAX_FILES]:
        for spec in dict.fromkeys(_jsroutes._imports(repo.text(path) or "")):
            target = _jsroutes._resolve(repo, path, spec)
            if target is not None and target != path:
                importers.setdefault(target, []).append(path)
    # Breadth first from the calling modules over their importers, keeping each file's next step toward the call.
    toward: dict[str, str | None] = {path: None for path in calls}
    frontier = list(calls)
    for _ in range(_jsroutes.MAX_HOPS):
        following = []
        for path in frontier:
            for importer in importers.get(path, []):
                if importer not in toward:
                    toward[importer] = path
                    following.append(importer)
        frontier = following
    for path in sources:
        if path not in toward:
            continue
        entry = _entry_line(path, repo.text(path) or "")
        if entry is None:
            continue
        chain, step = [path], toward[path]
        while step is not None:
            chain.append(step)
            step = toward[step]
        if any(_jsroutes._OWN_CHAIN.search(repo.text(p) or "") for p in chain):
            return [at(path, entry), at(chain[-1], calls[chain[-1]])]
    return []


# Python (the rule `route reaches a model through a service module` of deployment.py): a route, or the
# project service function it calls, sends an HTTP request (`requests.post`, `httpx.AsyncClient().post`,
# `session.post`, `urlopen`) from a module naming a model API's path or host (MODEL_API above).
HTTP_SENDS = frozenset({"post", "request", "urlopen", "stream"})


def sends_a_request(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in HTTP_SENDS


# Session 18: model servers' published inference protocols, asked from Python - TF Serving's and KServe
# v1's `POST /v1/models/<name>:predict` (also `:classify`, `:regress`), the Open Inference Protocol of
# KServe v2, Triton and MLServer (`/v2/models/<name>/infer`), MLflow's scoring server and SageMaker's
# container contract (`/invocations`, Databricks `/serving-endpoints/<name>/invocations`), TorchServe's
# inference API (`/predictions/<model>` on its port 8080), Azure ML online endpoints (host
# `*.inference.ml.azure.com`, path `/score`), and the request bodies those servers document
# (`dataframe_split` / `dataframe_records` of MLflow, `input_data` of Azure ML's MLflow deployments) -
# each quoted in the module that sends the request.
MODEL_SERVER_API = re.compile(
    _Q + r"(?:/v1/models/[^'\"`\s]{1,200}?:(?:predict|classify|regress)\b|/v2/models/[^'\"`\s]{1,200}?/infer\b|/invocations\b"
    r"|:8080/predictions/|\.inference\.ml\.azure\.com|dataframe_(?:split|records)['\"]|input_data['\"][^\S\n]*:)"
)
_SERVER_WORDS = ("/v1/models/", "/v2/models/", "/invocations", ":8080/predictions/", "inference.ml.azure.com", "dataframe_split",
                 "dataframe_records", "input_data")


def model_api_line(text: str | None) -> int | None:
    """The line of the first model-API path or host (or model server's inference request) quoted in a module's text, if any."""
    if not text:
        return None
    match = MODEL_API.search(text) if any(word in text for word in _WORDS) else None
    if match is None and any(word in text for word in _SERVER_WORDS):
        match = MODEL_SERVER_API.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1
