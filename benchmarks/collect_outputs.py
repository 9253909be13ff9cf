"""Collect JSON for many trees, with a fixed time: the "outputs unchanged" check of performance work.

Run it once with the code before a change and once with the code after (e.g. `PYTHONPATH=<export of
main>/src` for the first), each into its own folder, then compare the folders byte for byte
(`diff -r`). Every child folder of ROOT (default /tmp/mlrepos, where bench_accuracy expects the
labelled checkouts) is collected, plus any --tree given; one `<folder name>.json` each.
`--cache DIR` collects through the parse cache (run twice for cold and warm). `--only LIST` (a file of
folder names of ROOT, one a line) collects those alone: the same set for every code while checkouts
are still being fetched.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

FIXED_TIME = datetime.datetime(2026, 1, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the JSON files (created)")
    parser.add_argument("--root", type=Path, default=Path("/tmp/mlrepos"), help="folder of checkouts (default /tmp/mlrepos)")
    parser.add_argument("--tree", type=Path, action="append", default=[], help="another tree to collect (repeatable)")
    parser.add_argument("--cache", type=Path, help="collect through a parse cache in this folder")
    parser.add_argument("--only", type=Path, help="collect only these folders of ROOT (names, one a line)")
    args = parser.parse_args(argv)

    from mlops_audit.evidence.repo.collect import collect
    from mlops_audit.rubric.loader import default_rubric

    rubric = default_rubric()
    roots = sorted(p for p in args.root.iterdir() if p.is_dir()) if args.root.is_dir() else []
    if args.only is not None:
        only = set(args.only.read_text(encoding="utf-8").split())
        roots = [p for p in roots if p.name in only]
    roots += args.tree
    if not roots:
        print(f"nothing to collect: {args.root} holds no folders and no --tree was given", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    cache = None
    if args.cache is not None:
        from mlops_audit.evidence.repo.filecache import ParseCache

        cache = ParseCache.open(args.cache)
    for i, tree in enumerate(roots, 1):
        result = collect(tree, rubric=rubric, now=FIXED_TIME, parse_cache=cache)
        (args.out / f"{tree.name}.json").write_text(result.model_dump_json(indent=1), encoding="utf-8")
        print(f"{i}/{len(roots)} {tree.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
