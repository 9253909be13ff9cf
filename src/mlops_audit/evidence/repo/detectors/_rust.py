"""Rust services, read by the published conventions of Rust's web frameworks and inference crates
(session 16, poly16). Rule `compiled-language route reaches the model` (`_typerefs`) for Rust.

Request handlers: axum's and actix-web's router registration with a path (`Router::new().route("/x",
post(h))`, `web::resource("/x")`, `.route("/x", web::post().to(h))`), the route attributes of actix-web,
Rocket and poem-openapi (`#[post("/x")]`), warp filters (`warp::path`), tonic gRPC servers
(`XServer::new(...)`) and AWS Lambda (`lambda_runtime::run`). Rust code reaches another module's items
by `use crate::m::Name` or `m::name(...)`: it names what the other file declares.

A trained model loaded: ort (`Session::builder()`...`commit_from_file`), tract (`onnx().model_for_path`),
candle (`VarBuilder::from_mmaped_safetensors`), tch (`CModule::load`), burn records, linfa/smartcore
models read back; or a generative model asked (async-openai's `chat().create`, ollama-rs, rig agents) or
a model protocol's HTTP path.
"""

from __future__ import annotations

import re

from mlops_audit.evidence.repo.detectors import _typerefs

_ROUTE = re.compile(
    r"""\.route\(\s*"/|\bweb::resource\(\s*"/|#\[(?:get|post|put|patch|delete|route)\(\s*"/|#\[oai\([^)\n]{0,200}?path\s*=\s*"/|\bwarp::path\b|"""
    r"""\b\w+Server::new\s*\(|\blambda_runtime::run\s*\("""
)
_DECLARES = re.compile(r"\b(?:fn|struct|enum|trait|mod|type)[^\S\n]+([A-Za-z_]\w*)")
_LOADS = re.compile(
    r"\.commit_from_(?:file|memory|url)\s*\(|\bonnx\(\)\s*\.model_for_(?:path|read)\s*\(|\bVarBuilder::from_(?:mmaped_safetensors|pth|safetensors)\s*\(|"
    r"\bCModule::load\w*\s*\(|\bRecorder\b[^\n]{0,200}\.load\s*\(|\.load_record\s*\("
)
_ASKS = re.compile(r"\.chat\(\)\s*\.create(?:_stream)?\s*\(|\bollama\.(?:generate|send_chat_messages)\w*\s*\(|\bagent\.(?:prompt|chat)\s*\(|" + _typerefs.MODEL_PROTOCOL_PATH)
_MODEL_WORDS = ("commit_from_", "model_for_", "VarBuilder", "CModule", "Recorder", "load_record", "chat()", "ollama", "agent.", *_typerefs.MODEL_PROTOCOL_WORDS)

LANGUAGE = _typerefs.Language(
    name="Rust", suffixes=(".rs",), declares=_DECLARES, entry=lambda _, text: _typerefs.first_line(text, _ROUTE),
    model_words=_MODEL_WORDS, loads=_LOADS, asks=_ASKS,
)
SHAPES = (
    _typerefs.shape(
        "a Rust service's route (axum, actix-web, Rocket, warp, tonic, Lambda) reaches a model loaded through an inference crate "
        "(ort, tract, candle, tch) or the team's chain asking a generative model",
        LANGUAGE,
    ),
)
