"""Progress on stderr: redrawn in place on a terminal, one final line otherwise."""

from __future__ import annotations

import io

from mlops_audit.portfolio.progress import Progress


def test_not_a_terminal_prints_only_the_final_line():
    stream = io.StringIO()
    progress = Progress(3, stream=stream, live=False)
    progress.advance()
    progress.advance(skipped=True)
    progress.advance(failed=True)
    assert stream.getvalue() == ""
    progress.finish()
    text = stream.getvalue()
    assert text.count("\n") == 1 and "\r" not in text
    assert text.startswith("portfolio: 3/3 repos") and "1 unchanged, 1 failed" in text and "ETA" in text


def test_terminal_redraws_the_line():
    stream = io.StringIO()
    progress = Progress(2, stream=stream, live=True)
    progress.advance()
    progress.advance()
    progress.finish()
    text = stream.getvalue()
    assert text.count("\r\x1b[K") >= 2 and text.endswith("\n") and "2/2 repos" in text
