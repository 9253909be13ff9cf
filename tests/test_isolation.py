"""The suite runs in parallel (pytest-xdist): nothing a test writes may be shared by default."""

from __future__ import annotations

import pytest

from mlops_audit.evidence.repo.filecache import default_key_file


def test_the_parse_cache_default_key_file_is_this_sessions_own(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Under xdist, getbasetemp() is the worker's own folder: workers and the user's real state
    # folder ($XDG_STATE_HOME or ~/.local/state) never share a cache key.
    assert default_key_file().is_relative_to(tmp_path_factory.getbasetemp())
