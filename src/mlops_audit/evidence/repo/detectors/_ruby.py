"""Rule `Ruby route reaches the team's chain` of `serves_model` (session 15, conventions §8, §13).

LLM applications are also written as Ruby web applications: a Rails controller (or an Action Cable
channel, or a job a controller enqueues), a Sinatra, Grape, Roda or Hanami route answers each request
by running the team's chain - its prompts, its retrieval and the model it asks through a Ruby SDK
(ruby-openai's `client.chat(parameters: ...)`, the official OpenAI and Anthropic gems'
`chat.completions.create` / `messages.create`, aws-sdk-bedrockruntime's `converse`/`invoke_model`,
RubyLLM's `RubyLLM.chat`, langchainrb's `Langchain::LLM::*`, gemini-ai's `generate_content`).

How the route reaches the chain is Ruby's, not Python's: a Rails application has no imports between
its own files. Zeitwerk autoloads a constant from the file whose path, under an autoload root (each
folder of `app/`, its `concerns/`, and `lib/`), is the constant's path in snake case
(`SupportBot::Reply` -> `app/services/support_bot/reply.rb`; Rails guide "Autoloading and Reloading
Constants"). So a file reaches another when it names that file's constant; plain Ruby (Sinatra)
reaches files with `require_relative`. A constant is matched by the end of its path (a reference
inside `module Assistant` may leave the namespace out), which may link a name to more than one
file: reachability is over-approximated, never the chain test or the route test.

Counted only when the file asking the model holds something of the team's own (conventions §13: a
thin pass-through to a hosted model is not serving): a system prompt or instructions, a prompt
template, or retrieval (embeddings, nearest neighbours, a vector store). Not read: specs and tests,
examples and demos, vendored gems, migrations. Nothing is run; constants are followed as text, at
most `_jsroutes.MAX_HOPS` deep, from the first MAX_FILES files.
"""

from __future__ import annotations

import posixpath
import re

from mlops_audit.evidence.repo.detectors._jsroutes import chain_files, first_entry_reaching
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Location

MAX_FILE_BYTES = 512 * 1024
MAX_FILES = 3000  # files whose references are read, per scan
MAX_REFERENCES = 2000  # distinct constants read per file
MAX_NAMESPACE_DEPTH = 4  # constant path parts matched (files are indexed by their last 1-4 parts)
MAX_CANDIDATES = 8  # files one reference may name; more is a name too common to follow

_NOT_SOURCE = re.compile(
    r"(^|/)(spec|specs|test|tests|features|vendor|node_modules|tmp|log|coverage|migrate|examples?|demos?|samples?|tutorials?|playground|sandbox|scratch)/",
    re.IGNORECASE,
)
# A model asked through a Ruby SDK (each gem's documented call).
_GENERATION = re.compile(
    r"\.chat\s*\(\s*parameters\s*:|\.completions\s*\(\s*parameters\s*:|"
    r"\.chat\.completions\.create\s*\(|\.responses\.create\s*\(|\.messages\.(?:create|stream)\s*\(|"
    r"\.(?:converse|converse_stream|invoke_model|invoke_model_with_response_stream)\s*\(|"
    r"\bRubyLLM\.chat\b|\bLangchain::(?:LLM::\w+|Assistant)\b|\.(?:stream_)?generate_content\s*\("
)
_GENERATION_WORDS = ("parameters", ".create", ".stream", "converse", "invoke_model", "RubyLLM", "Langchain::", "generate_content")
# Something of the team's own beside the call (§13): a system prompt or instructions, a template, retrieval.
_OWN_CHAIN = re.compile(
    r"""\brole["']?\s*(?::|=>)\s*["':]system\b|\bsystem\s*:\s*[\["'%<\w]|\bwith_instructions\b|\binstructions\s*:|"""
    r"""\b(?:system_?prompt|SYSTEM_PROMPT|prompt_template|PromptTemplate)\b|\bLangchain::Prompt\b|\bprompts?/|"""
    r"""\bnearest_neighbors\b|\bembeddings?\s*\(|\bRubyLLM\.embed\b|\bsimilarity_search\w*|\b(?:vector_?store|VectorStore|retriever|Retriever|pgvector|knn)\b"""
)
# An entry answering requests: a Rails controller or Action Cable channel, a Grape API, a Hanami
# action, a Sinatra/Roda application (by its class), or a route block of those DSLs.
_ENTRY_CLASS = re.compile(
    r"<\s*(?:::)?(?:[A-Z]\w*::)*(?:\w*Controller|ActionController::(?:Base|API)|ApplicationCable::Channel|ActionCable::Channel::Base|"
    r"Grape::API(?:::Instance)?|Hanami::Action|Sinatra::(?:Base|Application)|Roda)\b"
)
_ROUTE_BLOCK = re.compile(r"""^[^\S\n]*(?:get|post|put|patch|delete)[^\S\n]*\(?[^\S\n]*["']/[^"'\n]*["'][^\n]{0,200}?\b(?:do|\{)""", re.MULTILINE)
_ROUTE_DSL = ("sinatra", "Sinatra", "Grape", "Roda", "Hanami", "Padrino")
# Zeitwerk's autoload roots: each folder of app/ (and its concerns/), and lib/ (Rails 7.1 `autoload_lib`).
_AUTOLOADED = re.compile(r"(?:^|/)app/[^/]+/(?:concerns/)?(.+)\.rb$|(?:^|/)lib/(.+)\.rb$")
_CONSTANT = re.compile(r"(?<![\w:])(?:::)?([A-Z][A-Za-z0-9_]*(?:::[A-Z][A-Za-z0-9_]*)*)")
_REQUIRE_RELATIVE = re.compile(r"""\brequire_relative[^\S\n]*\(?[^\S\n]*["']([^"'\n]{1,300})["']""")
_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL = re.compile(r"([a-z\d])([A-Z])")


def _underscore(segment: str) -> str:
    """Zeitwerk's file name for a constant name: `SupportBot` -> `support_bot`, `HTMLParser` -> `html_parser`."""
    return _CAMEL.sub(r"\1_\2", _ACRONYM.sub(r"\1_\2", segment)).lower()


def _sources(repo: RepoIndex) -> list[str]:
    return [p for p in repo.with_suffix(".rb") if not (is_test_path(p) or _NOT_SOURCE.search(p) or p.endswith("_spec.rb")) and repo.size(p) <= MAX_FILE_BYTES]


def _first_line(text: str, pattern: re.Pattern[str]) -> int | None:
    match = pattern.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def _entry_line(text: str) -> int | None:
    line = _first_line(text, _ENTRY_CLASS)
    if line is None and any(word in text for word in _ROUTE_DSL):
        line = _first_line(text, _ROUTE_BLOCK)
    return line


def _autoload_index(sources: list[str]) -> dict[tuple[str, ...], list[str]]:
    """Files under an autoload root by each tail of their constant path (`("reply",)`,
    `("support_bot", "reply")` ...): a reference is looked up once, whatever the tree's size."""
    index: dict[tuple[str, ...], list[str]] = {}
    for path in sources:
        match = _AUTOLOADED.search(path)
        if match:
            parts = tuple((match.group(1) or match.group(2)).split("/"))
            for n in range(1, min(len(parts), MAX_NAMESPACE_DEPTH) + 1):
                index.setdefault(parts[-n:], []).append(path)
    return index


def _used_files(repo: RepoIndex, path: str, text: str, autoload: dict[tuple[str, ...], list[str]]) -> set[str]:
    """The project files `path` names: the files of the constants it mentions (a name more than
    MAX_CANDIDATES files could define is left: ambiguous), and what it requires relatively."""
    used: set[str] = set()
    for reference in list(dict.fromkeys(m.group(1) for m in _CONSTANT.finditer(text)))[:MAX_REFERENCES]:
        parts = tuple(_underscore(part) for part in reference.split("::"))[-MAX_NAMESPACE_DEPTH:]
        files = autoload.get(parts, ())
        if len(files) <= MAX_CANDIDATES:
            used.update(f for f in files if f != path)
    folder = posixpath.dirname(path)
    for match in _REQUIRE_RELATIVE.finditer(text):
        target = posixpath.normpath(posixpath.join(folder, match.group(1)))
        target = target if target.endswith(".rb") else target + ".rb"
        if not target.startswith("..") and target != path and repo.exists(target):
            used.add(target)
    return used


def routes_reaching_a_chain(repo: RepoIndex) -> list[Location]:
    """[the entry, the call asking the model] for the first Ruby route, controller or channel that
    reaches the team's chain. Walked backwards from the chains over the constant graph."""
    sources = _sources(repo)
    chains = chain_files(repo, sources, _GENERATION, _GENERATION_WORDS, _OWN_CHAIN)
    if not chains:
        return []
    autoload = _autoload_index(sources)
    users: dict[str, list[str]] = {}
    for path in sources[:MAX_FILES]:
        for used in _used_files(repo, path, repo.text(path) or "", autoload):
            users.setdefault(used, []).append(path)
    return first_entry_reaching(repo, sources, chains, users, lambda _, text: _entry_line(text))


SHAPES = (
    (
        "a Ruby route (Rails controller or channel, Sinatra/Grape/Hanami route) reaches the team's chain: a file with its own prompt or retrieval asking a model through an SDK",
        routes_reaching_a_chain,
    ),
)
