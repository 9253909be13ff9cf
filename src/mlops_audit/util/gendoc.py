"""Generated reference documents (rubric, tool catalogue): check one against a fresh render, or
write it. One place for the --check/--write behaviour their commands share."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from mlops_audit.util.jsonio import atomic_write_text


def check_or_write(output: Path, text: str, *, check: bool, regenerate: str) -> int:
    """Exit code: with `check`, 0 when `output` equals `text` and 1 when stale; else write it (0)."""
    if check:
        current = output.read_text(encoding="utf-8") if output.is_file() else None
        if current != text:
            print(f"{output} is stale: run `{regenerate}`", file=sys.stderr)
            return 1
        print(f"{output} is up to date")
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, text)
    print(f"wrote {output}")
    return 0


def run_cli(
    argv: Sequence[str] | None,
    *,
    prog: str,
    description: str,
    document: str,
    render: Callable[[argparse.Namespace], str],
    default_path: Callable[[], Path],
    regenerate: str,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    """The command line every generated document shares: print it, `--write` it or `--check` it."""
    from mlops_audit.errors import AuditError

    parser = argparse.ArgumentParser(prog=prog, description=description)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the document (atomically) instead of printing it")
    mode.add_argument("--check", action="store_true", help="exit 1 if the document on disk differs from a fresh render")
    parser.add_argument("--output", type=Path, help=f"document path (default: {document} of the checkout)")
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        text = render(args)
        if not (args.write or args.check):
            sys.stdout.write(text)
            return 0
        output = args.output or default_path()
    except (AuditError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return check_or_write(output, text, check=args.check, regenerate=regenerate)
