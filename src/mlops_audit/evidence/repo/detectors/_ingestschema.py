"""Rule `fetched records validated against a schema model` of validates_data (session 14).

Conventions §7 and the §13 settlement ("schema of extracted records" that keeps bad documents out of
an index is data validation): an ingestion step that fetches records from an outside source (an
HTTP API's JSON, a JSON file or JSON lines) and validates each payload against a pydantic model the
project declares checks the data it will index or train on against a schema, and a payload that does
not fit raises `ValidationError` and stops the load (or is skipped, when a `try` handles it):

    response = await client.get(url, params=params)
    page = ContributionsResponse.model_validate(response.json())
    await store.upsert(page.results)

Pydantic's documented entry points for validating data are `Model.model_validate(obj)`,
`Model.model_validate_json(text)` (v2), `Model.parse_obj` / `parse_raw` (v1) and
`TypeAdapter(T).validate_python(obj)`. What counts: such a call on a project model (a class whose base
is pydantic's `BaseModel` or another project model), whose argument is what the same function
fetched or read (`response.json()`, `json.load(f)`, `json.loads(line)`, directly or through names
assigned from them), in a function that is not a web route (a request body is an API's request
model, §7: not counted) and in a module that stores what it loaded (a write, insert, upsert, index or
save call). Not counted: JSON read from files in a module that also writes JSON or dumps models (its
own cache or state read back: the system's own records), a payload the model builds from a language model's answer (structured
output is the model's output, not input data), settings loaded into a config model, a conversion of
rows already in a frame (left to the schema-check rule).

Pure functions over a parsed module: the detector (data.py) gathers the project's models, picks the
files, sets tests, notebooks and examples aside, and keeps only functions the project reaches.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from mlops_audit.evidence.repo.astutil import assigned_names, call_name, calls_in, dotted, functions, identifiers, last_name, statements

VALIDATING_CALLS = frozenset({"model_validate", "model_validate_json", "parse_obj", "parse_raw", "validate_python", "validate_json"})
# JSON Schema (python-jsonschema's documented API, session 18): `jsonschema.validate(instance, schema)`
# and a validator's `validate(instance)` raise `ValidationError`; `iter_errors(instance)` lists the
# problems. The schema is the project's own document, so no model is looked up; the instance must be
# fetched or read records as for pydantic (settings read from YAML are not, and are not fetched).
JSON_SCHEMA_MODULES = ("jsonschema",)
_JSON_SCHEMA_CALLS = frozenset({"validate", "iter_errors"})
# What a function fetched or read: an HTTP response's JSON, a JSON document or line.
_READ_JSON = frozenset({"json.load", "json.loads", "orjson.loads", "ujson.loads", "ujson.load"})
# A language model's answer (`completion.choices[0].message.content`, `llm.invoke(...)`): structured output.
_LLM_WORDS = re.compile(r"(?:^|_)(?:llm|chat|completions?|choices|messages?|invoke|generate|prompt|agent|openai|anthropic|gemini|ollama)(?:$|_)", re.IGNORECASE)
# A web route's decorator (`@app.get`, `@router.post`, `@bp.route`): its pydantic arguments are request bodies.
_ROUTE = re.compile(r"\.(?:get|post|put|patch|delete|route|api_route|websocket)$")
# Settings and configuration models are not data.
_SETTINGS_MODEL = re.compile(r"settings|config|options|env", re.IGNORECASE)
_WRITE_JSON = frozenset({"json.dump", "json.dumps", "orjson.dumps", "ujson.dump", "ujson.dumps"})
_DUMPS = frozenset({"model_dump", "model_dump_json"})
# What a loading module does with the records: store, index or write them.
STORES = re.compile(r"^(?:\w*(?:upsert|insert|store|save|index|ingest|persist|load_into|bulk|add_documents|add_texts)\w*|write\w*|to_(?:parquet|csv|json|sql)|dump|put_object|put)$", re.IGNORECASE)


def _fetched(node: ast.AST, files: bool = True) -> bool:
    """A call returning fetched or read JSON, not a language model's answer. `files=False`: JSON read
    from a file does not count (the module writes such files itself: its own cache or state, read back)."""
    if not isinstance(node, ast.Call):
        return False
    name = dotted(node.func)
    if name in _READ_JSON:
        return files and not any(_LLM_WORDS.search(n) for n in identifiers(node))
    return isinstance(node.func, ast.Attribute) and node.func.attr == "json" and not node.args and not any(_LLM_WORDS.search(n) for n in identifiers(node.func.value))


def _fetched_names(func: ast.AST, files: bool) -> set[str]:
    """Names assigned fetched JSON in `func` (through names assigned from them, in source order; a
    subscript of such a name is still fetched data)."""
    names: set[str] = set()
    assigns = sorted((n for n in statements(func, into_scopes=False) if isinstance(n, ast.Assign)), key=lambda n: (n.lineno, n.col_offset))
    for node in assigns:
        value = node.value
        if _fetched(value, files) or (isinstance(value, (ast.Name, ast.Subscript)) and last_name(value) in names) or (
            isinstance(value, ast.Subscript) and _fetched(value.value, files)
        ):
            for target in node.targets:
                names |= assigned_names(target)
    return names


def _model_of(call: ast.Call) -> str:
    """The model a validating call validates against: `M.model_validate(x)` -> `M`; `TypeAdapter(M).validate_python(x)` -> `M`."""
    owner = call.func.value if isinstance(call.func, ast.Attribute) else None
    if isinstance(owner, ast.Call) and call_name(owner) == "TypeAdapter" and owner.args:
        inner = owner.args[0]
        if isinstance(inner, ast.Subscript):  # TypeAdapter(list[Item])
            inner = inner.slice
        return last_name(inner)
    return last_name(owner) if owner is not None else ""


def _route(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(_ROUTE.search(dotted(d.func if isinstance(d, ast.Call) else d)) for d in func.decorator_list)


def payload_validations(module: ast.Module, is_model: Callable[[str], bool]) -> list[tuple[str | None, ast.FunctionDef | ast.AsyncFunctionDef, int]]:
    """(class, function, line) of each validation of fetched JSON against a model `is_model` accepts
    (the project's pydantic models; settings models left out), the first per function; empty when the
    module stores nothing (see the module's docstring). `is_model` is asked only of calls whose
    argument is fetched JSON (gathering the project's models costs a read of every file naming one)."""
    calls = calls_in(module)
    if not any(STORES.match(call_name(c)) for c in calls):
        return []
    # A module that writes JSON or dumps models reads back what it wrote (a cache, a run's state): the
    # system's own records, not data arriving from a source. Fetched JSON still counts there.
    files = not any(dotted(c.func) in _WRITE_JSON or call_name(c) in _DUMPS for c in calls)
    json_schema = _imports(module, JSON_SCHEMA_MODULES)
    found = []
    for owner, func in functions(module):
        if _route(func):
            continue
        fetched: set[str] | None = None
        for call in calls_in(func):
            name = call_name(call)
            if json_schema and name in _JSON_SCHEMA_CALLS:
                argument = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "instance"), None)
                model = "schema"
            elif name in VALIDATING_CALLS and call.args:
                argument, model = call.args[0], _model_of(call)
                if not model or _SETTINGS_MODEL.search(model):
                    continue
            else:
                continue
            if argument is None:
                continue
            fetched = _fetched_names(func, files) if fetched is None else fetched
            if _fetched(argument, files) or last_name(argument) in fetched or (isinstance(argument, ast.Subscript) and _fetched(argument.value, files)):
                if model == "schema" or is_model(model):
                    found.append((owner, func, call.lineno))
                    break
    return found


def _imports(module: ast.Module, roots: tuple[str, ...]) -> bool:
    """The module imports one of the packages `roots` (at its top level)."""
    for stmt in module.body:
        names = [a.name for a in stmt.names] if isinstance(stmt, ast.Import) else [stmt.module or ""] if isinstance(stmt, ast.ImportFrom) else []
        if any(n.split(".", 1)[0] in roots for n in names):
            return True
    return False


def pydantic_models(classes: list[tuple[str, tuple[str, ...], int | None, tuple[str, ...]]], known: set[str]) -> set[str]:
    """Names of the classes (a summary's `classes`) whose base is pydantic's `BaseModel`
    (`pydantic.BaseModel`, `BaseModel`) or one of the `known` project models."""
    return {name for name, bases, _, _ in classes if any(b.rsplit(".", 1)[-1] == "BaseModel" or b.rsplit(".", 1)[-1] in known for b in bases)}
