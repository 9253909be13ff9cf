"""What tagging the PDF costs: PDF/A-3a (tagged: structure tree, language, alt text) against the
previous PDF/A-3u (untagged), on the same HTML of the full assessment, side by side.

Run by hand: `python benchmarks/bench_report_tags.py [--reps N] [--lang en]`. The two variants
alternate (u, a, u, a, ...) so that load on the machine hits both alike; it prints the median CPU
and wall seconds of each and their ratio, page counts and sizes, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests" / "report"))
    import report_builders as builders

    from mlops_audit.report import pdf as pdfmod
    from mlops_audit.report.exports import report_digest
    from mlops_audit.report.html import render_html

    loaded = builders.bundled_rubric_or_none()
    if loaded is None:
        raise SystemExit("the bundled rubric does not load; nothing to benchmark")
    assessment = builders.rich_assessment(loaded, hostile=False)
    html = render_html(assessment, args.lang, report_digest=report_digest(assessment))
    import weasyprint  # noqa: F401 - import cost is not render cost

    results: dict[str, dict[str, list[float]]] = {v: {"cpu": [], "wall": [], "bytes": []} for v in ("pdf/a-3u", "pdf/a-3a")}
    for _ in range(args.reps):
        for variant in results:
            pdfmod.PDF_VARIANT = variant
            w0, c0 = time.perf_counter(), time.process_time()
            data = pdfmod.render_pdf(html, lang=args.lang)
            results[variant]["cpu"].append(time.process_time() - c0)
            results[variant]["wall"].append(time.perf_counter() - w0)
            results[variant]["bytes"].append(len(data))
    base = statistics.median(results["pdf/a-3u"]["cpu"])
    print(f"criteria {len(assessment.criteria)}, lang {args.lang}, reps {args.reps}, load {os.getloadavg()[0]:.1f}")
    for variant, r in results.items():
        cpu = statistics.median(r["cpu"])
        print(
            f"{variant}: CPU median {cpu:.2f} s ({', '.join(f'{x:.2f}' for x in r['cpu'])}), "
            f"wall median {statistics.median(r['wall']):.2f} s, {int(statistics.median(r['bytes'])) // 1024} KiB, "
            f"ratio to 3u {cpu / base:.2f}"
        )


if __name__ == "__main__":
    main()
