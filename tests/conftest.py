"""Shared fixtures."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from helpers import LESSON


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Caches (serving SLA tables, the Vega bundle) go to a temporary folder, never to the
    user's cache. Mutation testing runs thousands of short sessions: it names one folder for
    all of them (FTRISK_TEST_CACHE_DIR, see benchmarks/mutation.sh).

    The kernels run just in time (numba's disk cache), in this process and in the commands
    it starts: ``ftrisk`` would otherwise build them ahead of time into the checkout at its
    first run (tests/test_native.py builds and checks those, into temporary folders)."""
    folder = os.environ.get("FTRISK_TEST_CACHE_DIR") or str(tmp_path_factory.mktemp("cache"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FTRISK_CACHE_DIR", folder)
        mp.setenv("FTRISK_NO_NATIVE", "1")
        yield


def pytest_collection_modifyitems(items):
    """Under mutation testing, the fastest tests first: most mutants are caught by the first
    test that fails, so it should be a quick one (FTRISK_TEST_DURATIONS: mutmut's stats
    file with each test's duration; see benchmarks/mutation.sh)."""
    path = os.environ.get("FTRISK_TEST_DURATIONS")
    if not path:
        return
    try:
        durations = json.loads(Path(path).read_text(encoding="utf-8"))["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))


@pytest.fixture
def lesson_doc() -> dict[str, Any]:
    """A fresh copy of the lesson's configuration as a study document."""
    return copy.deepcopy(LESSON)


#: Samples of the session's runs of the bundled studies (a power of 2: the report's Sobol'
#: analysis uses as many base samples).
BUNDLED_SAMPLES = 1024


class BundledRuns:
    """Each bundled study run once per session into its own output folder, on demand, at
    :data:`BUNDLED_SAMPLES` samples (shared by the study and browser tests)."""

    def __init__(self, root):
        self.root = root
        self._done = {}

    def __call__(self, name: str):
        """The :class:`~sim.runner.runner.RunResult` of ``studies/<name>.toml`` (its folder:
        ``result.samples_path.parent``)."""
        from sim import load_study, run_to_folder

        from helpers import STUDIES

        if name not in self._done:
            study = load_study(STUDIES / f"{name}.toml").replace(samples=BUNDLED_SAMPLES)
            self._done[name] = run_to_folder(study, self.root / name)
        return self._done[name]


@pytest.fixture(scope="session")
def bundled(tmp_path_factory) -> BundledRuns:
    """Runs of the bundled studies, one per study per session (see :class:`BundledRuns`)."""
    return BundledRuns(tmp_path_factory.mktemp("bundled"))
