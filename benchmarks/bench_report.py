"""Time the report renderers on a full assessment (the bundled ~200-criterion rubric).

Run by hand: `python benchmarks/bench_report.py` (from the repository root). Each language is
measured in a fresh process so its peak RSS is its own. Prints wall and CPU seconds for the HTML
and the PDF render, page count and peak RSS, plus the machine's load average (the timings mean
little on a busy machine). Target (issue 6): PDF at or under ~7 s per language on 2 cores.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _page_count(pdf: bytes) -> int | str:
    import shutil
    import tempfile

    if not shutil.which("pdfinfo"):
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    return next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), "?")


def measure(lang: str) -> dict:
    sys.path.insert(0, str(ROOT / "tests" / "report"))
    import report_builders as builders  # the rich test assessment, built through the real engine

    from mlops_audit.report.exports import assessment_json_bytes, report_digest
    from mlops_audit.report.html import render_html
    from mlops_audit.report.pdf import render_pdf

    loaded = builders.bundled_rubric_or_none()
    if loaded is None:
        raise SystemExit("the bundled rubric does not load yet; nothing to benchmark")
    assessment = builders.rich_assessment(loaded, hostile=False)
    previous = builders.rich_assessment(loaded, variant="previous", hostile=False)
    import weasyprint  # noqa: F401 - import cost is not render cost

    w0, c0 = time.perf_counter(), time.process_time()
    html = render_html(assessment, lang, report_digest=report_digest(assessment), previous=previous)
    w1, c1 = time.perf_counter(), time.process_time()
    pdf = render_pdf(html, lang=lang, attachments={"assessment.json": assessment_json_bytes(assessment)})
    w2, c2 = time.perf_counter(), time.process_time()
    pages = _page_count(pdf)
    return {
        "lang": lang,
        "criteria": len(assessment.criteria),
        "html_kib": len(html.encode()) // 1024,
        "html_wall_s": round(w1 - w0, 2),
        "html_cpu_s": round(c1 - c0, 2),
        "pdf_wall_s": round(w2 - w1, 2),
        "pdf_cpu_s": round(c2 - c1, 2),
        "pdf_kib": len(pdf) // 1024,
        "pages": pages,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(measure(sys.argv[2])))
        return
    print(f"load average before: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")
    for lang in ("zh", "en"):
        out = subprocess.run([sys.executable, __file__, "--one", lang], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['lang']}: {r['criteria']} criteria, HTML {r['html_kib']} KiB in {r['html_wall_s']} s "
            f"(cpu {r['html_cpu_s']} s); PDF {r['pages']} pages, {r['pdf_kib']} KiB in {r['pdf_wall_s']} s "
            f"(cpu {r['pdf_cpu_s']} s); peak RSS {r['peak_rss_mib']} MiB"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
