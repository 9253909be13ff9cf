"""YAML through the safe loader only, with positions kept so that errors can say file:line:column.

Hostile input is expected (answer files, scanned repositories): documents are size-capped,
nesting depth is capped and duplicate keys are errors instead of silent overwrites. Anchors,
aliases and merge keys are refused in the tool's own input (rubrics, answers: written by hand,
without them); in scanned files (CI configs share defaults through `<<: *defaults`) they are
expanded within a budget of expanded nodes, so a "billion laughs" file is refused (`YamlBuilder`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mlops_audit.errors import InputError

MAX_YAML_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64

KeyPath = tuple[str | int, ...]


class YamlProblem(InputError):
    """A YAML document that is not well-formed or uses a refused feature."""


@dataclass
class LocatedDocument:
    """Plain Python data parsed from YAML, plus the 1-based line/column of every key path."""

    data: Any
    source: str
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: KeyPath) -> tuple[int, int] | None:
        """Position of `path`, or of its nearest ancestor that has one."""
        probe = tuple(path)
        while True:
            if probe in self.positions:
                return self.positions[probe]
            if not probe:
                return None
            probe = probe[:-1]

    def where(self, path: KeyPath) -> str:
        """`file:line:column` for a key path (the best position known)."""
        pos = self.locate(path)
        if pos is None:
            return self.source
        return f"{self.source}:{pos[0]}:{pos[1]}"


def format_key_path(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document root)"


class _NoAliasComposer(yaml.SafeLoader):
    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not accepted in mlops-audit input", event.start_mark
            )
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise yaml.composer.ComposerError(
                None, None, "YAML anchors (&name) are not accepted in mlops-audit input", event.start_mark
            )
        return super().compose_node(parent, index)


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it


def _check_events(text: str, source: str, aliases: bool = False) -> None:
    """One streaming pass over libyaml's events before composing: refuses nesting deeper than
    MAX_DEPTH, so the (recursive, C-level) composer only sees bounded input, and (unless `aliases`)
    anchors and aliases."""
    depth = 0
    for event in yaml.parse(text, Loader=_FAST_LOADER):
        mark = event.start_mark
        if not aliases and isinstance(event, yaml.AliasEvent):
            raise YamlProblem(f"{source}:{mark.line + 1}:{mark.column + 1}: YAML syntax error: YAML aliases (*name) are not accepted in mlops-audit input")
        if not aliases and getattr(event, "anchor", None) is not None:
            raise YamlProblem(f"{source}:{mark.line + 1}:{mark.column + 1}: YAML syntax error: YAML anchors (&name) are not accepted in mlops-audit input")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlProblem(f"{source}:{mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
# Nodes that alias expansion may produce per document (every node reached again through an alias
# counts, with everything under it). Real CI files that share defaults through `<<: *defaults`
# expand to a few thousand; a "billion laughs" file would expand to billions.
MAX_ALIAS_NODES = 100_000


class YamlBuilder:
    """Plain Python data and key positions from a composed node graph, under mlops-audit's rules.

    Strict (`aliases=False`, for the tool's own input: rubrics, answers, trails): a node reached
    twice (an alias) and merge keys are refused. Lenient (`aliases=True`, for scanned
    repositories): aliases are expanded and merge keys (`<<: *defaults`, `<<: [*a, *b]`) applied
    as YAML 1.1 defines them (keys written in the mapping win, then earlier merges over later ones),
    within MAX_ALIAS_NODES expanded nodes per document. Both: duplicate and non-scalar keys are
    refused, nesting is capped at MAX_DEPTH (alias expansion included), dates stay text.
    `plain_app_tags` reads application tags (`!Ref x`, `!reference [...]`) as their untagged value.
    """

    def __init__(self, source: str, *, aliases: bool = False, plain_app_tags: bool = False) -> None:
        self.source = source
        self.aliases = aliases
        self.plain_app_tags = plain_app_tags
        self.seen: set[int] = set()
        self.expanded = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, root: Node) -> LocatedDocument:
        # Node ids are only unique while the nodes live: an earlier document's freed nodes may share
        # ids with this one's, so aliases are tracked per document (the root keeps its nodes alive).
        self.seen = set()
        self.expanded = 0
        positions: dict[KeyPath, tuple[int, int]] = {}
        data = self._node(root, (), positions, 0)
        return LocatedDocument(data=data, source=self.source, positions=positions)

    def _where(self, node: Node) -> str:
        return f"{self.source}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"

    def _again(self, node: Node) -> None:
        """`node` is reached a second time: an alias (refused when strict, counted when lenient)."""
        if not self.aliases:
            raise YamlProblem(f"{self._where(node)}: YAML aliases (*name) are not accepted in mlops-audit input")
        self.expanded += 1
        if self.expanded > MAX_ALIAS_NODES:
            raise YamlProblem(
                f"{self.source}: YAML aliases expand to more than {MAX_ALIAS_NODES:,} nodes (a 'billion laughs' "
                "file?); refused, nothing in it is used"
            )

    def _node(self, node: Node, path: KeyPath, positions: dict[KeyPath, tuple[int, int]], depth: int) -> Any:
        seen = self.seen
        if id(node) in seen:
            self._again(node)
        else:
            seen.add(id(node))
        mark = node.start_mark
        positions[path] = (mark.line + 1, mark.column + 1)
        if depth > MAX_DEPTH:
            raise YamlProblem(f"{self.source}:{mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
        kind = type(node)
        if kind is MappingNode:
            return self._mapping(node, path, positions, depth)
        if kind is SequenceNode:
            return [self._node(item, path + (i,), positions, depth + 1) for i, item in enumerate(node.value)]
        tag = node.tag
        if tag == _STR:
            return node.value
        if self.plain_app_tags and not tag.startswith("tag:yaml.org,2002:"):
            # Application tags (`!Ref x` in CloudFormation, `!reference [...]` in GitLab CI) are
            # read as their plain value; nothing is constructed from them.
            return node.value
        value = self.constructor.construct_object(node, deep=True)
        # Dates stay text: every date we read is validated by the model that consumes it.
        if hasattr(value, "isoformat") and not isinstance(value, (str, int, float, bool)):
            return node.value
        return value

    def _mapping(self, node: MappingNode, path: KeyPath, positions: dict[KeyPath, tuple[int, int]], depth: int) -> dict[str, Any]:
        seen = self.seen
        result: dict[str, Any] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode:
                raise YamlProblem(f"{self._where(key_node)}: mapping keys must be plain scalars")
            tag = key_node.tag
            if tag == _STR:
                key = key_node.value  # what SafeConstructor builds for a str scalar, without its dispatch
            else:
                if tag == _MERGE:
                    if not self.aliases:
                        raise YamlProblem(f"{self.source}:{key_node.start_mark.line + 1}: YAML merge keys (<<) are not accepted")
                    merges.append(value_node)
                    continue
                key = self.constructor.construct_object(key_node)
                key = key if isinstance(key, str) else str(key)
            if key in result:
                raise YamlProblem(f"{self._where(key_node)}: duplicate key '{key}' at {format_key_path(path)}")
            child = path + (key,)
            if type(value_node) is ScalarNode and value_node.tag == _STR and id(value_node) not in seen and depth + 1 <= MAX_DEPTH:
                # The common leaf, inlined: same checks and records as the general call below.
                seen.add(id(value_node))
                value_mark = value_node.start_mark
                positions[child] = (value_mark.line + 1, value_mark.column + 1)
                result[key] = value_node.value
            else:
                result[key] = self._node(value_node, child, positions, depth + 1)
            key_mark = key_node.start_mark
            positions[child] = (key_mark.line + 1, key_mark.column + 1)
        if not merges:
            return result
        inherited: dict[str, Any] = {}
        for merged in merges:
            self._merge(inherited, result, merged, path, positions, depth)
        # Inherited keys first, then those written in the mapping (which override every merge).
        return {**inherited, **result} if inherited else result

    def _merge(
        self, inherited: dict[str, Any], written: dict[str, Any], merged: Node, path: KeyPath,
        positions: dict[KeyPath, tuple[int, int]], depth: int,
    ) -> None:
        """Adds to `inherited` the keys of the merged mapping(s) that neither `written` nor an earlier
        merge has (their positions: where the merged mapping holds them)."""
        if type(merged) is SequenceNode:
            if id(merged) in self.seen:
                self._again(merged)
            self.seen.add(id(merged))
            sources = merged.value
        else:
            sources = [merged]
        for source_node in sources:
            if type(source_node) is not MappingNode:
                raise YamlProblem(f"{self._where(source_node)}: a merge key (<<) takes a mapping or a list of mappings")
            found: dict[KeyPath, tuple[int, int]] = {}
            values = self._node(source_node, (), found, depth)
            added = [key for key in values if key not in written and key not in inherited]
            for key in added:
                inherited[key] = values[key]
            taken = set(added)
            for rel, pos in found.items():
                if rel and rel[0] in taken:
                    positions[path + rel] = pos


def load_yaml_text(text: str, source: str, *, aliases: bool = False) -> LocatedDocument:
    """Parse one YAML document; errors name `source:line:column`. `aliases`: expand anchors, aliases
    and merge keys within MAX_ALIAS_NODES (scanned files); else they are refused (our own input)."""
    if len(text.encode("utf-8", errors="replace")) > MAX_YAML_BYTES:
        raise YamlProblem(f"{source}: larger than {MAX_YAML_BYTES // (1024 * 1024)} MiB; refusing to parse")
    try:
        loader = (yaml.SafeLoader if aliases else _NoAliasComposer)(text)  # the reader rejects control characters already here
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise YamlProblem(f"{source}:{line}: character U+{exc.character:04X} is not allowed in YAML ({exc.reason})") from None
    if _FAST_LOADER is not None:
        # Same checks and positions, ~10x faster: libyaml scans and composes, we construct.
        loader.dispose()
        try:
            _check_events(text, source, aliases)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            place = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
            raise YamlProblem(f"{place}: YAML syntax error: {exc.problem or exc.context or 'invalid YAML'}") from None
        except yaml.YAMLError as exc:
            raise YamlProblem(f"{source}: YAML error: {exc}") from None
        loader = _FAST_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LocatedDocument(data=None, source=source, positions={})
        return YamlBuilder(source, aliases=aliases).build(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlProblem(f"{place}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"{source}: YAML error: {exc}") from None
    except RecursionError:
        raise YamlProblem(f"{source}: nesting too deep to parse") from None
    finally:
        loader.dispose()


def load_yaml_file(path: str | Path, display: str | None = None) -> LocatedDocument:
    """Read and parse a YAML file (UTF-8, size-capped)."""
    path = Path(path)
    source = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if size > MAX_YAML_BYTES:
        raise YamlProblem(f"{source}: {size} bytes is larger than {MAX_YAML_BYTES // (1024 * 1024)} MiB; refusing to parse")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{source}:{line}: not valid UTF-8 (byte offset {exc.start}); save the file as UTF-8") from None
    return load_yaml_text(text, source)
