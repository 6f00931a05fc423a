"""Quantile tables kept on disk (distributions/fastppf.py) and scipy.special on first use
(distributions/special.py): a study whose tables were built once is read and drawn without
importing scipy.special, with the same tables bit for bit."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from scipy import special as scipy_special

from distributions import Beta, Gamma, Pert, base, normal, special
from distributions.continuous import _beta_logit_isf, _beta_logit_logpdf, _beta_logit_ppf
from distributions.fastppf import HermitePPF

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("FTRISK_CACHE_DIR", str(folder))
    return folder / "ppf-tables"


def _counted(function, calls):
    def wrapped(q):
        calls.append(np.size(q))
        return function(q)
    wrapped.__module__ = function.func.__module__  # its source is part of the key
    return wrapped


def _build(a, b, calls, key="k"):
    return HermitePPF(_counted(partial(_beta_logit_ppf, a, b), calls),
                      partial(_beta_logit_logpdf, a, b),
                      exact_isf=_counted(partial(_beta_logit_isf, a, b), calls), key=key)


def _tables(f):
    return [f._main.x, f._main.slope, f._lower.x, f._lower.slope, f._upper.x, f._upper.slope,
            np.array([f._main.z0, f._main.h, f._lower.z0, f._lower.h, f._upper.z0, f._upper.h,
                      f.max_error])]


def test_tables_are_built_once_and_read_back_bit_for_bit(cache):
    built_calls, read_calls = [], []
    built = _build(2.5, 4.0, built_calls)
    assert built_calls and len(list(cache.glob("*.npy"))) == 1
    read = _build(2.5, 4.0, read_calls)
    assert read_calls == []  # no exact quantile: nothing of scipy.special needed
    for x, y in zip(_tables(built), _tables(read), strict=True):
        assert x.tobytes() == y.tobytes()
    q = np.array([1e-17, 1e-9, 0.3, 0.5, 0.9, 1 - 1e-9])
    assert built(q).tobytes() == read(q).tobytes()


def test_another_key_or_parameter_gets_its_own_tables(cache):
    calls = []
    _build(2.5, 4.0, calls, key="a")
    _build(2.5, 4.0, calls, key="b")
    assert len(list(cache.glob("*.npy"))) == 2
    one, two = Beta(2.0, 3.0), Beta(2.0, 3.0 + 2**-50)
    assert one._fast._main.x.tobytes() != two._fast._main.x.tobytes()
    assert len(list(cache.glob("*.npy"))) == 4


@pytest.mark.parametrize("damage", ["truncate", "garbage", "format", "empty"])
def test_a_damaged_cache_file_is_rebuilt(cache, damage):
    calls = []
    good = _build(1.7, 6.0, calls)
    (path,) = cache.glob("*.npy")
    raw = path.read_bytes()
    flat = np.load(path)
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a table" * 10)
    elif damage == "format":
        flat[0] = 99.0
        np.save(path, flat)
    else:
        np.save(path, np.zeros(0))
    calls.clear()
    again = _build(1.7, 6.0, calls)
    assert calls  # rebuilt
    for x, y in zip(_tables(good), _tables(again), strict=True):
        assert x.tobytes() == y.tobytes()
    assert path.read_bytes() == raw  # and the file mended


def test_an_unwritable_cache_only_costs_the_build(tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    monkeypatch.setenv("FTRISK_CACHE_DIR", str(blocker))  # its folder cannot be made
    calls = []
    first, second = _build(3.0, 3.0, calls), _build(3.0, 3.0, calls)
    assert calls and first._main.x.tobytes() == second._main.x.tobytes()


def test_gamma_tables_are_cached_too(cache):
    g = Gamma(0.8, 2.0)
    assert len(list(cache.glob("*.npy"))) == 1
    assert Gamma(0.8, 5.0)._fast._main.x.tobytes() == g._fast._main.x.tobytes()  # same shape
    assert len(list(cache.glob("*.npy"))) == 1


DRAW = """
import sys
import numpy as np
from distributions import Pert, Lognormal
x = Pert(76, 120, 188).sample(20_000, rng=np.random.default_rng(1))
y = Lognormal.from_quantiles(p10=10.0, p90=50.0).sample(10, rng=np.random.default_rng(1))
print("scipy.special" in sys.modules, repr(float(x.sum())))
"""


def test_a_new_process_draws_cached_tables_without_scipy_special(tmp_path):
    env = {**os.environ, "FTRISK_CACHE_DIR": str(tmp_path)}

    def run():
        out = subprocess.run([sys.executable, "-c", DRAW], env=env, cwd=ROOT, check=True,
                             capture_output=True, text=True, timeout=300).stdout.split()
        return out[0] == "True", out[1]

    first, second = run(), run()
    assert first[0] and not second[0]  # built with scipy.special once, then read
    assert first[1] == second[1]  # the same draws


def test_special_imports_scipy_special_on_first_use():
    assert special.ndtr is scipy_special.ndtr
    assert float(special.betaincinv(2.0, 3.0, 0.5)) == float(scipy_special.betaincinv(2, 3, 0.5))
    with pytest.raises(AttributeError):
        special.__wrapped__  # noqa: B018 (a dunder is never forwarded)
    with pytest.raises(AttributeError):
        special.no_such_function  # noqa: B018


def test_written_out_normal_scores_are_scipys():
    assert float(scipy_special.ndtri(base.TINY)) == base.Z_LO
    assert float(scipy_special.ndtri(1.0 - base.TINY)) == base.Z_HI
    assert float(scipy_special.ndtri(0.9)) == normal.Z90
    assert float(scipy_special.ndtri(0.95)) == normal.Z95


def test_an_untruncated_normal_has_all_the_mass():
    from distributions import Normal

    assert Normal(3.0, 2.0)._mass == 1.0
    assert Normal(0.0, 1.0, lo=0.0)._mass == 0.5
    assert Pert(1, 2, 3).mean == 2.0


def test_the_cache_keeps_its_newest_tables(cache, monkeypatch):
    """A sweep over a PERT input makes a table at each value: every PRUNE_EVERY writes the
    folder is cut back to the KEEP_TABLES newest files."""
    from distributions import fastppf

    monkeypatch.setattr(fastppf, "PRUNE_EVERY", 4)
    monkeypatch.setattr(fastppf, "KEEP_TABLES", 3)
    monkeypatch.setattr(fastppf, "_writes", 0)
    for i in range(1, 12):
        assert not Pert(0.0, 1.0 + i / 16, 3.0)._beta._fast.exact_only  # a new table each
        assert len(list(cache.glob("*.npy"))) == (i if i < 4 else 3 + i % 4)
    assert fastppf.prune(cache, 1) == 5 and len(list(cache.glob("*.npy"))) == 1


def test_prune_keeps_the_most_recently_written(tmp_path):
    from distributions.fastppf import prune

    for i, name in enumerate(["c", "a", "d", "b"]):
        np.save(tmp_path / f"{name}.npy", np.zeros(1))
        os.utime(tmp_path / f"{name}.npy", ns=(10**18 + i * 10**9,) * 2)
    (tmp_path / "x.1-2.tmp.npy").write_bytes(b"")  # a write under way: left alone
    assert prune(tmp_path, 2) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.npy", "d.npy", "x.1-2.tmp.npy"]
