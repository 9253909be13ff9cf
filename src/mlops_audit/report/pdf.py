"""HTML -> tagged PDF/A-3a (structure tree, document language, alt text on charts) with WeasyPrint, fetching nothing but data: URLs and the tool's own files.

Security (reference notes §4): untrusted HTML or CSS could make WeasyPrint read local files or
the network. Our HTML is escaped, so it should ask for nothing; `SafeFetcher` makes sure: every
URL outside `data:` and the reports folder is refused and the render stops (a fetch attempt means
something got through that should not have). WeasyPrint is imported lazily: it is slow to import.

Reproducible bytes: WeasyPrint's output depends only on the HTML, the attachments, the fonts and
their dates. The /ID is the MD5 of the document (pydyf), font subset tags are MD5s of the font
descriptions, and the creation date comes from the HTML's dcterms.created. Attachments are the one
place WeasyPrint would read the clock (`datetime.now()` for their creation and modification dates),
so `render_pdf` always passes them a date: the injected `created`, or UNDATED.

Fonts: Chinese needs a CJK font installed (Debian: fonts-noto-cjk). Without one WeasyPrint would
print empty boxes, so we check first and say what to install.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mlops_audit import paths
from mlops_audit.errors import AuditError

CJK_FONT_HINT = (
    "no Chinese (CJK) font is installed, so a Chinese PDF would show empty boxes. "
    "Install one, e.g. on Debian/Ubuntu: apt-get install fonts-noto-cjk "
    "(and libharfbuzz-subset0 for fast font subsetting), or render --lang en."
)
PDF_VARIANT = "pdf/a-3a"  # PDF/A-3 level A: tagged (structure tree, language, alt text), Unicode text
UNDATED = datetime(2000, 1, 1, tzinfo=UTC)  # attachment dates when the caller injects none (never the clock)


class FetchRefused(AuditError):
    """The renderer asked for a resource outside the allow-list."""


def _allowed_root() -> Path:
    return paths.reports_dir().resolve()


def is_allowed_url(url: str, root: Path | None = None) -> bool:
    """data: URLs, and file: URLs naming an existing file inside the reports folder."""
    root = root or _allowed_root()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return True
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    try:
        target = Path(unquote(parts.path)).resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return target.is_file() and target.is_relative_to(root)


def safe_fetcher_class():
    """Build the URLFetcher subclass (WeasyPrint is only importable at render time)."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class SafeFetcher(URLFetcher):
        """Allow-list fetcher; records every URL asked for (tests prove nothing else is fetched)."""

        def __init__(self, root: Path | None = None, **kwargs):
            kwargs.setdefault("allowed_protocols", {"data", "file"})
            kwargs.setdefault("allow_redirects", False)
            kwargs.setdefault("timeout", 5)
            super().__init__(**kwargs)
            self.root = (root or _allowed_root()).resolve()
            self.requested: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            self.requested.append(url)
            if not is_allowed_url(url, self.root):
                self.refused.append(url)
                raise FatalURLFetchingError(f"refused to fetch {url[:200]!r}: only data: URLs and the report templates are allowed")
            return super().fetch(url, headers)

    return SafeFetcher


FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
CJK_FONT_NAMES = ("*CJK*", "*SourceHan*", "*wqy*", "*WenQuanYi*", "*SimSun*", "*SimHei*", "*msyh*", "*NotoSansSC*", "*NotoSerifSC*")


@cache
def cjk_font_available() -> bool:
    """True when fontconfig knows a font covering Chinese (or, without fc-list, a CJK font file exists)."""
    fc_list = shutil.which("fc-list")
    if fc_list is not None:
        try:
            out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False)
            return bool(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if root.is_dir() and any(next(root.rglob(pattern), None) for pattern in CJK_FONT_NAMES):
            return True
    return False


def ensure_fonts(lang: str) -> None:
    if lang == "zh" and not cjk_font_available():
        raise AuditError(f"cannot render the Chinese PDF: {CJK_FONT_HINT}")


def render_pdf(
    html: str,
    *,
    lang: str,
    attachments: Mapping[str, bytes] | None = None,
    created: datetime | None = None,
    fetcher=None,
) -> bytes:
    """Render our report HTML to tagged PDF/A-3a bytes, with `attachments` (name -> bytes) embedded."""
    ensure_fonts(lang)
    try:
        from weasyprint import HTML, Attachment
        from weasyprint.urls import FatalURLFetchingError
    except ImportError as exc:  # pragma: no cover - weasyprint is a dependency; system libs may lack
        raise AuditError(f"cannot render PDF: WeasyPrint failed to load ({exc}); see the README's set-up section") from None
    fetcher = fetcher or safe_fetcher_class()()
    created = created or UNDATED
    base_url = (paths.reports_dir() / "templates").resolve().as_uri() + "/"
    files = [
        Attachment(
            string=data,
            name=name,
            description=name,
            relationship="Data",
            url_fetcher=fetcher,
            created=created,
            modified=created,
        )
        for name, data in sorted((attachments or {}).items())
    ]
    try:
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        return document.write_pdf(
            pdf_variant=PDF_VARIANT,
            attachments=files,
            presentational_hints=False,
            uncompressed_pdf=False,
        )
    except FatalURLFetchingError as exc:
        raise FetchRefused(f"PDF rendering stopped: {exc}") from None
