"""Message catalogues for the report's own words (reports/i18n/<lang>.yaml).

The rubric's texts (criteria, practices, level names...) come from the assessment's rubric
snapshot; everything else a reader sees comes from these catalogues. A missing key is an error,
never a silently printed key name: a test checks both catalogues hold the same keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import yaml

from mlops_audit import paths
from mlops_audit.errors import AuditError

LANGUAGES: tuple[str, ...] = ("zh", "en")


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


class Messages:
    """The catalogue of one language; `t(key, **values)` formats one message."""

    def __init__(self, lang: str, messages: dict[str, str]) -> None:
        self.lang = lang
        self.messages = messages

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = self.messages[key]
        except KeyError:
            raise AuditError(f"report message catalogue {self.lang}.yaml has no key '{key}'") from None
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self.messages


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise AuditError(f"unknown report language '{lang}' (expected one of: {', '.join(LANGUAGES)})")
    return lang


@cache
def messages(lang: str) -> Messages:
    check_language(lang)
    path = paths.reports_dir() / "i18n" / f"{lang}.yaml"
    # Our own bundled file: yaml.safe_load is enough (STYLE: safe YAML only).
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, Mapping):
        raise AuditError(f"{path}: expected a mapping of message keys")
    return Messages(lang, _flatten(data))
