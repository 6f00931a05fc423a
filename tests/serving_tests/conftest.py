"""Fixtures of the serving tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """SLA tables go to a temporary folder, never to the user's cache (session-wide, so
    module-scoped fixtures are covered too)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FTRISK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield
