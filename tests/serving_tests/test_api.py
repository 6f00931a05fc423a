"""``sim.serving.__all__`` lists exactly its public names; every public function is documented
with an example."""

from __future__ import annotations

import importlib
import inspect

import sim.serving as serving


def test_all_is_complete_and_importable():
    public = {n for n, v in vars(serving).items()
              if not n.startswith("_") and not inspect.ismodule(v)
              and getattr(v, "__module__", "sim").startswith("sim")}
    assert set(serving.__all__) >= public  # plus the Literal aliases (module 'typing')
    assert len(serving.__all__) == len(set(serving.__all__))
    for n in serving.__all__:
        assert hasattr(serving, n), n


def test_public_functions_have_examples():
    for n in serving.__all__:
        obj = getattr(serving, n)
        if inspect.isfunction(obj):
            assert "Examples" in (obj.__doc__ or ""), n


def test_serve_command_contract():
    mod = importlib.import_module("sim.commands.serve")
    assert mod.NAME == "serve" and mod.ORDER == 50
    assert callable(mod.add_arguments) and callable(mod.run)
