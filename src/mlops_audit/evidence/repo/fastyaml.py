"""YAML documents of scanned files, composed by libyaml (C) under the rules of `util.safeyaml`.

Repositories hold many YAML files (CI, Kubernetes, configs); composing them in pure Python is the
largest cost of a scan. libyaml composes aliases as shared nodes without expanding them;
`safeyaml.YamlBuilder` then builds the data in its lenient mode: anchors, aliases and merge keys
(`<<: *defaults`, common in CircleCI and GitLab CI files) are expanded within a budget of expanded
nodes (a "billion laughs" file is refused, naming the file), non-scalar and duplicate keys are
refused, nesting is capped, dates stay text, positions are recorded as `safeyaml` records them.
Application tags (`!Ref`, `!GetAtt`, `!reference`) are read as their untagged value instead of
failing the whole file, so CloudFormation templates and GitLab CI files using them can be read.
Without libyaml, `safeyaml` itself is used (one document per `---`).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import ScalarNode

from mlops_audit.util.safeyaml import MAX_YAML_BYTES, LocatedDocument, YamlBuilder, YamlProblem

HAVE_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))


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


def load_documents(text: str, source: str) -> list[LocatedDocument]:
    """Every document of a YAML stream; raises YamlProblem (an InputError) naming file:line."""
    if len(text) > MAX_YAML_BYTES:
        raise YamlProblem(f"{source}: larger than {MAX_YAML_BYTES // (1024 * 1024)} MiB; refusing to parse")
    docs: list[LocatedDocument] = []
    builder = YamlBuilder(source, aliases=True, plain_app_tags=True)
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
