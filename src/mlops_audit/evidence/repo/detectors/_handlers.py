"""Request handlers written without a route decorator (serves_model, session 12).

The web-route rule of `deployment.py` finds handlers by their route decorators (`@app.post`,
`@router.get`). Several frameworks teams serve models with register handlers otherwise:

- Django and Django REST framework: class-based views (`class Predict(APIView): def post(self,
  request)`, viewsets) and function views decorated with `@api_view`, wired in `urls.py`; viewset
  methods decorated `@action(detail=..., methods=[...])`, which DRF's routers route as extra actions
  (session 16);
- Flask-RESTful / Flask-RESTX `Resource` classes added with `api.add_resource(...)`, Flask
  `MethodView` classes added with `add_url_rule`;
- Tornado `RequestHandler` / Starlette `HTTPEndpoint` classes listed in the application's routes;
- Falcon resources (`on_get` / `on_post` responders);
- gRPC servicers: a class deriving from the generated `...Servicer` base, whose methods the server
  calls per request (`add_XServicer_to_server(Servicer(), server)`);
- the standard library's HTTP server (session 15): a `http.server.BaseHTTPRequestHandler` (or
  `SimpleHTTPRequestHandler`) subclass, whose `do_GET` / `do_POST` / `do_PUT` ... the server calls
  per request (`HTTPServer(addr, Handler).serve_forever()`), as the Python documentation describes;
- Django Channels WebSocket consumers (session 13): `class ChatConsumer(AsyncWebsocketConsumer)`,
  whose `receive` / `receive_json` the server calls per message (routed in `websocket_urlpatterns`),
  the usual way a Django chat application answers with its model or chain as the user types.

- handlers registered by a router call rather than a decorator (session 16), as each framework
  documents it: aiohttp `app.router.add_get/add_post/add_route(path, handler)`, Starlette
  `Route(path, endpoint)`, FastAPI `add_api_route(path, endpoint)`, Flask `add_url_rule(rule,
  view_func=...)`, Sanic `add_route(handler, uri)`: the function named by reference in the call;
- GraphQL resolvers (session 16), which the GraphQL server calls per query field: Graphene
  `ObjectType`/`Mutation` classes' `resolve_<field>` and `mutate` methods, Strawberry functions
  decorated `@strawberry.field` / `@strawberry.mutation`, Ariadne resolvers bound with
  `@query.field("name")` / `@mutation.field(...)` on its `QueryType`/`MutationType`/`ObjectType`.
- Django function views (session 18): "a view function takes a web request and returns a web
  response; each view function takes an `HttpRequest` object as its first parameter, which is
  typically named `request`" (Django docs, Writing views) - a module-level function of a module
  importing Django whose first parameter is the request (named `request`/`req`, or annotated
  `HttpRequest`); and class-based views by their module (any base imported from `django.views` or
  DRF's `views`/`generics`/`viewsets`, not only the listed names).
- Modal web endpoints (session 18): functions and `@app.cls` methods decorated
  `@modal.fastapi_endpoint` (formerly `@modal.web_endpoint`), which Modal serves over HTTPS.
- Socket.IO event handlers (session 18): Flask-SocketIO and python-socketio call the handler for
  each event a client emits - functions decorated `@<server>.on("event")` / `@<server>.event`,
  registered with `<server>.on_event("event", handler)`, and `on_<event>` methods of a `Namespace`
  class (both projects' documented ways).

This module only names the handlers (class, method, line) from a file's summary; whether a handler
reaches the model is judged by the same test as for decorated routes (`deployment._reaches_model`).
A base class is trusted only when the file imports its framework (a `Resource` of boto3 or Pulumi
is no web resource). Notebooks are demos (conventions §8) and are not read.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Callable

from mlops_audit.evidence.repo.astutil import walk
from mlops_audit.evidence.repo.pysource import PythonSummary
from mlops_audit.evidence.repo.treememo import per_tree

# Base classes (last part of the resolved name) by the modules one of which the file must import.
_BASES: tuple[tuple[frozenset[str], tuple[str, ...]], ...] = (
    (
        frozenset({"View", "APIView", "GenericAPIView", "ViewSet", "GenericViewSet", "ModelViewSet", "ViewSetMixin", "CreateAPIView",
                   "ListCreateAPIView", "RetrieveAPIView", "FormView"}),
        ("django", "rest_framework"),
    ),
    (frozenset({"Resource"}), ("flask_restful", "flask_restx", "flask_restplus")),
    (frozenset({"MethodView"}), ("flask",)),
    (frozenset({"RequestHandler"}), ("tornado",)),
    (frozenset({"HTTPEndpoint"}), ("starlette",)),
)
# Methods a framework calls per request on such a class.
_HANDLER_METHODS = frozenset({"get", "post", "put", "patch", "create", "list", "retrieve", "update", "on_get", "on_post", "on_put"})
_FALCON_RESPONDER = ("on_get", "on_post", "on_put", "on_patch")
# http.server: the request handler classes and the `do_<METHOD>` methods the server calls.
_STDLIB_HANDLERS = frozenset({"BaseHTTPRequestHandler", "SimpleHTTPRequestHandler"})
_STDLIB_METHODS = frozenset({"do_GET", "do_POST", "do_PUT", "do_PATCH", "do_DELETE"})
# Django Channels consumers and the methods Channels calls per incoming WebSocket message.
_CONSUMERS = frozenset({"WebsocketConsumer", "AsyncWebsocketConsumer", "JsonWebsocketConsumer", "AsyncJsonWebsocketConsumer"})
_CONSUMER_METHODS = frozenset({"receive", "receive_json", "websocket_receive"})
# Router calls registering a handler by reference, with the positions or keywords naming it.
_REGISTRATIONS = frozenset({"add_get", "add_post", "add_put", "add_patch", "add_delete", "add_route", "add_api_route", "add_url_rule",
                            "add_websocket_route", "add_api_websocket_route", "Route", "WebSocketRoute", "on_event"})
_REGISTERED_KEYWORDS = frozenset({"handler", "endpoint", "view_func"})
_ROUTERS = ("aiohttp", "starlette", "fastapi", "flask", "sanic", "quart", "robyn", "blacksheep", "litestar", "flask_socketio", "socketio")
# Django class-based views by the module their base comes from (session 18): every generic view of
# `django.views` and DRF's API views, generic views and viewsets (not its serializers or permissions).
_VIEW_MODULES = ("django.views.", "rest_framework.views.", "rest_framework.generics.", "rest_framework.viewsets.")
# Socket.IO (Flask-SocketIO, python-socketio): the decorators that bind an event handler, and the
# namespace classes whose `on_<event>` methods the server calls.
_SOCKETIO = ("flask_socketio", "socketio")
_SOCKETIO_DECORATORS = frozenset({"on", "event"})
_SOCKETIO_NAMESPACES = frozenset({"Namespace", "AsyncNamespace"})
_MODAL_ENDPOINTS = frozenset({"modal.fastapi_endpoint", "modal.web_endpoint"})
# The first parameter of a Django function view: the request, by its documented name or annotation.
_REQUEST_PARAMETERS = frozenset({"request", "req"})
# GraphQL servers: Graphene's resolver methods, and the decorators of Strawberry and Ariadne that bind resolvers.
_GRAPHENE_BASES = frozenset({"ObjectType", "Mutation"})
_GRAPHQL_DECORATORS = ("strawberry.field", "strawberry.mutation", "strawberry.subscription")
NEEDLES = ("django", "rest_framework", "flask_restful", "flask_restx", "MethodView", "RequestHandler", "HTTPEndpoint", "falcon",
           "grpc", "api_view", *sorted(_CONSUMERS), *sorted(_STDLIB_HANDLERS), *sorted(_REGISTRATIONS), "graphene", "strawberry", "ariadne", "socketio", "flask_socketio", "modal")


def request_handlers(summary: PythonSummary) -> list[tuple[str, str, int | None]]:
    """(class or `""` for a function view, handler function name, line) of the file's undecorated
    request handlers (see the module's docstring)."""
    if summary.is_notebook:
        return []
    found: list[tuple[str, str, int | None]] = []
    grpc = summary.imports_module("grpc") or any(m.endswith("_pb2_grpc") for m in summary.imports)
    falcon = summary.imports_module("falcon")
    socketio = summary.imports_module(*_SOCKETIO)
    for name, bases, line, methods in summary.classes:
        lasts = {b.rsplit(".", 1)[-1] for b in bases}
        if any(lasts & known and summary.imports_module(*modules) for known, modules in _BASES) or any(b.startswith(_VIEW_MODULES) for b in bases):
            found += [(name, m, line) for m in methods if m in _HANDLER_METHODS]
        elif socketio and lasts & _SOCKETIO_NAMESPACES:
            found += [(name, m, line) for m in methods if m.startswith("on_")]
        elif lasts & _STDLIB_HANDLERS and summary.imports_module("http.server"):
            found += [(name, m, line) for m in methods if m in _STDLIB_METHODS]
        elif lasts & _CONSUMERS and summary.imports_module("channels"):
            found += [(name, m, line) for m in methods if m in _CONSUMER_METHODS]
        elif grpc and any(b.endswith("Servicer") for b in lasts):
            found += [(name, m, line) for m in methods if not m.startswith("_")]
        elif falcon and any(m in _FALCON_RESPONDER for m in methods):
            found += [(name, m, line) for m in methods if m in _FALCON_RESPONDER]
        elif lasts & _GRAPHENE_BASES and summary.imports_module("graphene"):
            found += [(name, m, line) for m in methods if m.startswith("resolve_") or m == "mutate"]
    rest, ariadne = summary.imports_module("rest_framework"), summary.imports_module("ariadne")
    if rest or ariadne or summary.imports_module("strawberry"):

        def binds(name: str) -> bool:
            last = name.rsplit(".", 1)[-1]
            view = rest and last in ("api_view", "action")  # DRF's extra viewset actions are routed too (session 16)
            return view or name in _GRAPHQL_DECORATORS or (ariadne and last == "field" and "." in name)

        found += _decorated(summary, binds)
    if socketio:
        found += _decorated(summary, lambda name: "." in name and name.rsplit(".", 1)[-1] in _SOCKETIO_DECORATORS)
    if summary.imports_module("modal"):
        found += _decorated(summary, lambda name: name in _MODAL_ENDPOINTS)
    if summary.imports_module("django") and summary.source is not None:
        tree = summary.source.tree()
        found += [("", name, line) for name, line in (_function_views(tree) if tree is not None else [])]
    if summary.imports_module(*_ROUTERS) and not set(summary.call_names).isdisjoint(_REGISTRATIONS):
        found += [("", name, line) for name, line in _registered(summary) if name in summary.functions]
    return found


def _decorated(summary: PythonSummary, binds: Callable[[str], bool]) -> list[tuple[str, str, int | None]]:
    """("", function, decorator line) of the functions decorated by a decorator `binds` accepts."""
    defs = sorted((line, name) for name, line in summary.functions.items() if line is not None)
    lines = [line for line, _ in defs]
    found: list[tuple[str, str, int | None]] = []
    for decorator in summary.decorators:
        if decorator.line is not None and binds(decorator.name):
            # The function it decorates: the first defined after it, found by bisection (a scan of
            # every function per decorator was quadratic in a file of many views).
            after = bisect.bisect_right(lines, decorator.line)
            if after < len(defs):
                found.append(("", defs[after][1], decorator.line))
    return found


@per_tree
def _function_views(tree: ast.AST) -> list[tuple[str, int]]:
    """(function, line) of the module-level functions whose first parameter is the request (see the
    module's docstring: Django function views)."""
    found = []
    for node in getattr(tree, "body", ()):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        params = [*node.args.posonlyargs, *node.args.args]
        if not params:
            continue
        first = params[0]
        annotated = first.annotation is not None and ast.unparse(first.annotation).rsplit(".", 1)[-1] == "HttpRequest"
        if first.arg in _REQUEST_PARAMETERS or annotated:
            found.append((node.name, node.lineno))
    return found


def _registered(summary: PythonSummary) -> list[tuple[str, int | None]]:
    """(function, line) of the file's handlers registered by reference in a router call (see above)."""
    tree = summary.source.tree() if summary.source is not None else None
    return _registered_in(tree) if tree is not None else []


@per_tree
def _registered_in(tree: ast.AST) -> list[tuple[str, int | None]]:
    found = []
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name not in _REGISTRATIONS:
            continue
        given = [*node.args[:3], *(k.value for k in node.keywords if k.arg in _REGISTERED_KEYWORDS)]
        found += [(value.id, node.lineno) for value in given if isinstance(value, ast.Name)]
    return found
