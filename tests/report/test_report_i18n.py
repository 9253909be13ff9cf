"""Message catalogues: both languages say the same things, and templates use only known keys."""

from __future__ import annotations

import re

import pytest
import yaml

from mlops_audit import paths
from mlops_audit.errors import AuditError
from mlops_audit.report.i18n import _flatten, messages

REPORTS = paths.reports_dir()


def test_catalogues_have_the_same_keys_and_placeholders():
    zh = _flatten(yaml.safe_load((REPORTS / "i18n" / "zh.yaml").read_text(encoding="utf-8")))
    en = _flatten(yaml.safe_load((REPORTS / "i18n" / "en.yaml").read_text(encoding="utf-8")))
    assert set(zh) == set(en)
    for key in zh:
        assert set(re.findall(r"\{(\w+)\}", zh[key])) == set(re.findall(r"\{(\w+)\}", en[key])), key
        assert zh[key].strip() and en[key].strip(), key


def test_every_literal_key_used_in_templates_and_code_exists():
    sources = [p.read_text(encoding="utf-8") for p in (REPORTS / "templates").rglob("*.j2")]
    sources += [p.read_text(encoding="utf-8") for p in (paths._PACKAGE_DIR / "report").glob("*.py")]
    keys = {k for text in sources for k in re.findall(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+|[a-z_]+)["']""", text)}
    keys = {k for k in keys if not k.endswith(("_", "."))}  # prefixes completed at run time
    assert len(keys) > 100
    for lang in ("zh", "en"):
        missing = [k for k in keys if not messages(lang).has(k)]
        assert missing == [], (lang, missing)


def test_a_missing_key_is_an_error_not_a_printed_key():
    with pytest.raises(AuditError, match="no key 'nope.nothing'"):
        messages("en")("nope.nothing")


def test_an_unknown_language_is_refused():
    with pytest.raises(AuditError, match="unknown report language 'fr'"):
        messages("fr")
