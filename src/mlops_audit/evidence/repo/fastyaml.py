"""YAML documents of scanned files, composed by libyaml (C) under the rules of `util.safeyaml`.

Repositories hold many YAML files (CI, Kubernetes, configs); composing them in pure Python is the
largest cost of a scan. libyaml composes aliases as shared nodes without expanding them, so the
same refusals as `safeyaml` hold cheaply: a node reached twice is an alias (refused: the
"billion laughs" expansion needs them), merge keys (`<<`), non-scalar and duplicate keys are
refused, nesting is capped, dates stay text. Positions are recorded exactly as `safeyaml` records
them. One deliberate difference: application tags (`!Ref`, `!GetAtt`, `!reference`) are read as
their untagged value instead of failing the whole file, so CloudFormation templates and GitLab CI
files using them can be read. Without libyaml, `safeyaml` itself is used (one document per `---`).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mlops_audit.util.safeyaml import MAX_DEPTH, MAX_YAML_BYTES, KeyPath, LocatedDocument, YamlProblem, format_key_path

HAVE_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
_STR = "tag:yaml.org,2002:str"


_RESOLVED_CACHE_ENTRIES = 65_536
_RESOLVED_MAX_CHARS = 64


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader, remembering the implicit tag of short plain scalars.

    libyaml composes in C but asks the Python resolver for every scalar's tag (a loop of regex
    matches per scalar), which is most of the composing time. The answer depends only on the
    scalar's text and style (no path resolvers are registered on the safe loader), and keys and
    values (`name`, `true`, `1`) repeat across files, so it is cached.
    """

    _tags: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode and type(value) is str and len(value) <= _RESOLVED_MAX_CHARS:
            key = (value, implicit)
            tag = self._tags.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._tags) < _RESOLVED_CACHE_ENTRIES:
                    self._tags[key] = tag
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.seen: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, root: Node) -> LocatedDocument:
        # Node ids are only unique while the nodes live: an earlier document's freed nodes may share
        # ids with this one's, so aliases are tracked per document (the root keeps its nodes alive).
        self.seen = set()
        positions: dict[KeyPath, tuple[int, int]] = {}
        data = self._node(root, (), positions, 0)
        return LocatedDocument(data=data, source=self.source, positions=positions)

    def _where(self, node: Node) -> str:
        return f"{self.source}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"

    def _node(self, node: Node, path: KeyPath, positions: dict[KeyPath, tuple[int, int]], depth: int) -> Any:
        seen = self.seen
        if id(node) in seen:
            raise YamlProblem(f"{self._where(node)}: YAML aliases (*name) are not accepted in mlops-audit input")
        seen.add(id(node))
        mark = node.start_mark
        positions[path] = (mark.line + 1, mark.column + 1)
        if depth > MAX_DEPTH:
            raise YamlProblem(f"{self.source}:{mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
        kind = type(node)
        if kind is MappingNode:
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if type(key_node) is not ScalarNode:
                    raise YamlProblem(f"{self._where(key_node)}: mapping keys must be plain scalars")
                tag = key_node.tag
                if tag == _STR:
                    key = key_node.value  # what SafeConstructor builds for a str scalar, without its dispatch
                else:
                    if tag == "tag:yaml.org,2002:merge":
                        raise YamlProblem(f"{self.source}:{key_node.start_mark.line + 1}: YAML merge keys (<<) are not accepted")
                    key = self.constructor.construct_object(key_node)
                    key = key if isinstance(key, str) else str(key)
                if key in result:
                    raise YamlProblem(f"{self._where(key_node)}: duplicate key '{key}' at {format_key_path(path)}")
                child = path + (key,)
                value_kind = type(value_node)
                if value_kind is ScalarNode and value_node.tag == _STR and id(value_node) not in seen and depth + 1 <= MAX_DEPTH:
                    # The common leaf, inlined: same checks and records as the general call below.
                    seen.add(id(value_node))
                    value_mark = value_node.start_mark
                    positions[child] = (value_mark.line + 1, value_mark.column + 1)
                    result[key] = value_node.value
                else:
                    result[key] = self._node(value_node, child, positions, depth + 1)
                key_mark = key_node.start_mark
                positions[child] = (key_mark.line + 1, key_mark.column + 1)
            return result
        if kind is SequenceNode:
            return [self._node(item, path + (i,), positions, depth + 1) for i, item in enumerate(node.value)]
        tag = node.tag
        if tag == _STR:
            return node.value
        if not tag.startswith("tag:yaml.org,2002:"):
            # Application tags (`!Ref x` in CloudFormation, `!reference [...]` in GitLab CI) are
            # read as their plain value; nothing is constructed from them.
            return node.value
        value = self.constructor.construct_object(node, deep=True)
        if hasattr(value, "isoformat") and not isinstance(value, (str, int, float, bool)):
            return node.value
        return value


def load_documents(text: str, source: str) -> list[LocatedDocument]:
    """Every document of a YAML stream; raises YamlProblem (an InputError) naming file:line."""
    if len(text) > MAX_YAML_BYTES:
        raise YamlProblem(f"{source}: larger than {MAX_YAML_BYTES // (1024 * 1024)} MiB; refusing to parse")
    docs: list[LocatedDocument] = []
    builder = _Builder(source)
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            if node is not None:
                docs.append(builder.build(node))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise YamlProblem(f"{place}: YAML syntax error: {exc.problem or exc.context or 'invalid YAML'}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"{source}: YAML error: {exc}") from None
    except RecursionError:
        raise YamlProblem(f"{source}: nesting too deep to parse") from None
    return docs
