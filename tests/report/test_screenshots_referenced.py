"""The README points at the committed screenshots of the report's first pages, and they exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_links_every_screenshot_and_each_is_a_png():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\((docs/screenshots/[^)]+\.png)\)", readme))
    committed = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs" / "screenshots").glob("*.png")}
    expected = {f"docs/screenshots/report-{lang}-page-0{n}.png" for lang in ("zh", "en") for n in (1, 2)}
    expected |= {f"docs/screenshots/report-{lang}-html.png" for lang in ("zh", "en")}
    assert linked == committed == expected
    for path in committed:
        assert (ROOT / path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
