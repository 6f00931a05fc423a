"""Shared fixtures."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from helpers import LESSON


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Caches (serving SLA tables, the Vega bundle) go to a temporary folder, never to the
    user's cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FTRISK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture
def lesson_doc() -> dict[str, Any]:
    """A fresh copy of the lesson's configuration as a study document."""
    return copy.deepcopy(LESSON)
