"""Each package's ``__all__`` lists exactly its public names, and they import."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = ["sim", "distributions", "sim.study", "sim.serving", "sim.costs", "sim.runner",
            "sim.decision", "sim.report"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_complete_and_importable(name):
    module = importlib.import_module(name)
    public = {n for n, v in vars(module).items()
              if not n.startswith("_") and not isinstance(v, type(importlib))
              and getattr(v, "__module__", name).startswith(name.split(".")[0])}
    assert set(module.__all__) >= public - {"annotations"}
    for n in module.__all__:
        assert hasattr(module, n), n
