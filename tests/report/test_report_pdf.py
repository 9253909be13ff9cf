"""PDF rendering: Chinese text with an embedded CJK font, attachments, and no fetching.

Slow (WeasyPrint): one PDF per language is rendered once per module and shared.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
import report_builders as builders

from mlops_audit.errors import AuditError
from mlops_audit.report import pdf as pdfmod
from mlops_audit.report import render_reports
from mlops_audit.report.exports import assessment_json_bytes, report_digest
from mlops_audit.report.html import render_html
from tests.fresh_process import run_cli

pytestmark = pytest.mark.slow
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdfdetach"))
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="LOUD SKIP: poppler-utils (pdftotext, pdffonts, pdfdetach) not installed; PDF content unchecked"
)


MANIFEST = b'{"run_id": "run-2026-11-30"}'


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, rich_small, previous_small):
    """report.zh.pdf and report.en.pdf of the rich assessment, with an extra attachment."""
    out = tmp_path_factory.mktemp("pdf")
    written = render_reports(
        rich_small,
        formats=["pdf"],
        lang="both",
        out_dir=out,
        previous=previous_small,
        attachments={"runs/manifest.json": MANIFEST},
    )
    return {p.name.split(".")[1]: p for p in written}


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_poppler
def test_chinese_pdf_contains_level_names_and_embeds_a_cjk_font(rendered, rich_small):
    text = _text(rendered["zh"])
    assert "基础级" in text and "专业级" in text and "领航级" in text
    assert "执行摘要" in text and "附录" in text
    assert report_digest(rich_small)[:32] in text.replace("\n", "")
    fonts = subprocess.run(["pdffonts", str(rendered["zh"])], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk)  # embedded (emb column)


@needs_poppler
def test_english_pdf_has_page_numbers_and_the_level_names(rendered):
    text = _text(rendered["en"])
    assert "Executive summary" in text and "Professional" in text
    pages = int(next(l.split()[-1] for l in subprocess.run(["pdfinfo", str(rendered["en"])], capture_output=True, text=True).stdout.splitlines() if l.startswith("Pages:")))
    assert f"2 / {pages}" in text


@needs_poppler
def test_pdf_embeds_the_assessment_json_and_given_attachments(rendered, rich_small, tmp_path):
    listing = subprocess.run(["pdfdetach", "-list", str(rendered["en"])], capture_output=True, text=True, check=True).stdout
    assert "assessment.json" in listing and "manifest.json" in listing
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(rendered["en"])], check=True)
    assert (tmp_path / "assessment.json").read_bytes() == assessment_json_bytes(rich_small)


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="LOUD SKIP: pdfinfo (poppler-utils) not installed")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_is_tagged_pdf_a_3a_with_its_language_and_chart_alt_text(rendered, lang):
    """PDF/A-3a (level A: tagged, Unicode) is declared in the XMP metadata; pdfinfo reads it as tagged;
    the catalogue states the language and every chart figure carries alt text (its data in words).
    Conformance itself is not verified: no veraPDF here."""
    meta = subprocess.run(["pdfinfo", "-meta", str(rendered[lang])], capture_output=True, text=True, check=True).stdout
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="A"' in meta
    info = subprocess.run(["pdfinfo", str(rendered[lang])], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    objects = b"\n".join(_pdf_streams(rendered[lang].read_bytes()))
    wanted = b"zh-CN" if lang == "zh" else b"en"
    assert re.search(rb"/Lang\s*\(" + wanted + rb"\)", objects)
    assert len(re.findall(rb"/Alt\s*[(<]", objects)) >= 2  # the domain chart and the pipeline chart


def _pdf_streams(data: bytes) -> list[bytes]:
    """The file and every Flate stream in it, decompressed (object streams hold the catalogue)."""
    texts = [data]
    view = memoryview(data)
    for start in re.finditer(rb"(?<!end)stream\r?\n", data):
        try:
            texts.append(zlib.decompressobj().decompress(view[start.end():]))
        except zlib.error:
            continue  # not a Flate stream
    return texts


def _pdf_dates(data: bytes) -> list[str]:
    """Every PDF date (D:YYYYMMDDHHMMSS) and XMP date in the file, compressed object streams included."""
    found = []
    for text in _pdf_streams(data):
        found += [d.decode() for d in re.findall(rb"\(D:(\d{14})", text)]
        found += [d.decode() for d in re.findall(rb"<xmp:\w*Date>([^<]*)<", text)]
    return found


def test_pdf_is_byte_identical_when_rendered_again_in_a_fresh_process(rendered, rich_small, previous_small, tmp_path):
    """The fixture rendered in a forked worker of this process; the CLI renders in a new interpreter
    with another hash seed, from the assessment as JSON: same bytes (/ID, font subset tags, dates)."""
    (tmp_path / "a.json").write_bytes(assessment_json_bytes(rich_small))
    (tmp_path / "prev.json").write_bytes(assessment_json_bytes(previous_small))
    (tmp_path / "manifest.json").write_bytes(MANIFEST)
    run_cli(
        ["report", "a.json", "--format", "pdf", "--lang", "en", "--previous", "prev.json", "--attach", "manifest.json", "--out", "out"],
        cwd=tmp_path,
    )
    assert (tmp_path / "out" / "report.en.pdf").read_bytes() == rendered["en"].read_bytes()


def test_every_date_in_the_pdf_is_the_assessment_time(rendered, rich_small):
    """Document info, XMP and both attachments' creation and modification dates: none from the clock."""
    dates = _pdf_dates(rendered["zh"].read_bytes())
    assert len(dates) >= 6  # info CreationDate, XMP CreateDate, 2 attachments x (CreationDate, ModDate)
    assert set(dates) == {"20261130090000", rich_small.assessed_at}


def test_attachments_without_an_injected_time_get_a_fixed_date_not_the_clock():
    data = pdfmod.render_pdf("<html><body><p>x</p></body></html>", lang="en", attachments={"a.json": b"{}"})
    assert _pdf_dates(data) == ["20000101000000", "20000101000000"]


def test_rendering_the_hostile_report_fetches_nothing_outside_the_allow_list(rich_small, caplog):
    fetcher = pdfmod.safe_fetcher_class()()
    html = render_html(rich_small, "en", report_digest=report_digest(rich_small))
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdfmod.render_pdf(html, lang="en", fetcher=fetcher, attachments={"assessment.json": b"{}"})
    # WeasyPrint understood all our HTML and CSS (it warns about anything it ignores)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert fetcher.refused == []
    assert all(pdfmod.is_allowed_url(url) for url in fetcher.requested)
    for hostile in ("etc/passwd", "x.invalid", "javascript:"):
        assert not any(hostile in url for url in fetcher.requested)


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="http://x.invalid/a.css">',
        '<p style="background: url(http://x.invalid/leak.png)">x</p>',
        '<link rel="attachment" href="file:///etc/hostname">',
    ],
)
def test_the_fetcher_stops_a_render_that_asks_for_a_forbidden_url(markup):
    """Proof the recorder sees fetches: HTML that bypasses our escaping is refused, loudly."""
    fetcher = pdfmod.safe_fetcher_class()()
    with pytest.raises(pdfmod.FetchRefused):
        pdfmod.render_pdf(f"<html><body><p>x</p>{markup}</body></html>", lang="en", fetcher=fetcher)
    assert fetcher.refused and not fetcher.requested[0].startswith("data:")


def test_allow_list_admits_data_urls_and_own_files_only(tmp_path):
    own = (pdfmod.paths.reports_dir() / "static" / "report.css").resolve()
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    assert pdfmod.is_allowed_url("data:text/plain,hello")
    assert pdfmod.is_allowed_url(own.as_uri())
    assert not pdfmod.is_allowed_url(outside.as_uri())
    assert not pdfmod.is_allowed_url((own.parent / ".." / ".." / "pyproject.toml").as_uri())
    assert not pdfmod.is_allowed_url("http://x.invalid/a.png")
    assert not pdfmod.is_allowed_url("https://x.invalid/a.png")
    assert not pdfmod.is_allowed_url("file:///etc/passwd")
    assert not pdfmod.is_allowed_url("file://evil.host/share/a.png")
    fetcher = pdfmod.safe_fetcher_class()()
    response = fetcher.fetch(own.as_uri())
    assert b"font-family" in response.read()
    response.close()


def test_missing_cjk_font_is_reported_instead_of_printing_boxes(monkeypatch, rich_small, tmp_path):
    monkeypatch.setattr(pdfmod, "cjk_font_available", lambda: False)
    with pytest.raises(AuditError, match="fonts-noto-cjk"):
        render_reports(rich_small, formats=["json", "html", "pdf"], lang="zh", out_dir=tmp_path)
    assert not any(tmp_path.iterdir())  # failed before writing anything
