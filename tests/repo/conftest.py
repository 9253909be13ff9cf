"""Fixture trees under fixtures/ are scanned, never collected by pytest (they contain test_*.py)."""

collect_ignore_glob = ["fixtures/*"]
