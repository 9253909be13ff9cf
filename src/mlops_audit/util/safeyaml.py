"""YAML through the safe loader only, with positions kept so that errors can say file:line:column.

Hostile input is expected (answer files, scanned repositories): documents are size-capped,
anchors/aliases are refused (they make "billion laughs" expansions possible once the data is
walked), nesting depth is capped and duplicate keys are errors instead of silent overwrites.
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


def _check_events(text: str, source: str) -> None:
    """One streaming pass over libyaml's events before composing: refuses anchors, aliases and
    nesting deeper than MAX_DEPTH, so the (recursive, C-level) composer only sees bounded input."""
    depth = 0
    for event in yaml.parse(text, Loader=_FAST_LOADER):
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            raise YamlProblem(f"{source}:{mark.line + 1}:{mark.column + 1}: YAML syntax error: YAML aliases (*name) are not accepted in mlops-audit input")
        if getattr(event, "anchor", None) is not None:
            raise YamlProblem(f"{source}:{mark.line + 1}:{mark.column + 1}: YAML syntax error: YAML anchors (&name) are not accepted in mlops-audit input")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlProblem(f"{source}:{mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _construct(
    node: Node, loader: yaml.SafeLoader, path: KeyPath, positions: dict[KeyPath, tuple[int, int]], source: str, depth: int
) -> Any:
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if depth > MAX_DEPTH:
        raise YamlProblem(f"{source}:{node.start_mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem(
                    f"{source}:{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}: "
                    "mapping keys must be plain scalars"
                )
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(f"{source}:{key_node.start_mark.line + 1}: YAML merge keys (<<) are not accepted")
            key = loader.construct_object(key_node)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                raise YamlProblem(
                    f"{source}:{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}: "
                    f"duplicate key '{key}' at {format_key_path(path)}"
                )
            child = path + (key,)
            result[key] = _construct(value_node, loader, child, positions, source, depth + 1)
            positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    if isinstance(node, SequenceNode):
        return [
            _construct(item, loader, path + (i,), positions, source, depth + 1) for i, item in enumerate(node.value)
        ]
    value = loader.construct_object(node, deep=True)
    # Dates stay text: every date we read is validated by the model that consumes it.
    if hasattr(value, "isoformat") and not isinstance(value, (str, int, float, bool)):
        return node.value
    return value


def load_yaml_text(text: str, source: str) -> LocatedDocument:
    """Parse one YAML document; errors name `source:line:column`."""
    if len(text.encode("utf-8", errors="replace")) > MAX_YAML_BYTES:
        raise YamlProblem(f"{source}: larger than {MAX_YAML_BYTES // (1024 * 1024)} MiB; refusing to parse")
    try:
        loader = _NoAliasComposer(text)  # the reader rejects control characters already here
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise YamlProblem(f"{source}:{line}: character U+{exc.character:04X} is not allowed in YAML ({exc.reason})") from None
    if _FAST_LOADER is not None:
        # Same checks and positions, ~10x faster: libyaml scans and composes, we construct.
        loader.dispose()
        try:
            _check_events(text, source)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            place = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
            raise YamlProblem(f"{place}: YAML syntax error: {exc.problem or exc.context or 'invalid YAML'}") from None
        except yaml.YAMLError as exc:
            raise YamlProblem(f"{source}: YAML error: {exc}") from None
        loader = _FAST_LOADER(text)
    try:
        node = loader.get_single_node()
        positions: dict[KeyPath, tuple[int, int]] = {}
        if node is None:
            return LocatedDocument(data=None, source=source, positions=positions)
        data = _construct(node, loader, (), positions, source, 0)
        return LocatedDocument(data=data, source=source, positions=positions)
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
