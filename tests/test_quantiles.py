"""Exact streaming quantiles equal numpy's on the full column."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.runner.quantiles import distinct, quantile, quantiles, row_quantiles, select

from helpers import ROOT

QS = [0.0, 0.005, 0.05, 0.1, 0.25, 0.5, 0.9, 0.995, 1.0]


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 400),
              elements=st.floats(-1e12, 1e12, allow_nan=False, allow_subnormal=False)),
       st.integers(1, 5))
def test_equal_to_numpy(x, parts):
    got = quantiles(lambda: np.array_split(x, parts), x.size, QS)
    assert got == np.quantile(x, QS).tolist()


@pytest.mark.parametrize("n", [1, 2, 100_001])
def test_atoms_and_signed_zero(n):
    x = np.random.default_rng(n).normal(size=n) * 1e4
    x[::3] = 0.0
    x[1::7] = -0.0
    x[2::5] = -123.5
    assert quantiles(lambda: [x[: n // 2], x[n // 2:]], n, QS) == np.quantile(x, QS).tolist()


def test_select_order_statistics():
    x = np.random.default_rng(0).standard_cauchy(10_000)
    ranks = [0, 1, 4999, 9998, 9999]
    assert select(lambda: [x], ranks) == np.sort(x)[ranks].tolist()


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 300)),
              elements=st.floats(-1e12, 1e12, allow_subnormal=False)))
def test_row_quantiles_equal_numpy_bit_for_bit(x):
    # the fan chart's P10/P50/P90 by month: one sort per row, numpy's figures exactly
    with np.errstate(invalid="ignore"):
        want = np.quantile(x, QS, axis=1)
    got = row_quantiles(x, QS)
    assert got.shape == want.shape
    assert np.array_equal(got, want, equal_nan=True)


def test_row_quantiles_nan_row_and_infinities():
    x = np.random.default_rng(3).normal(size=(3, 16384)) * 1e5
    x[0, 17] = np.nan
    x[1, 0], x[2, -1] = -np.inf, np.inf
    with np.errstate(invalid="ignore"):
        want = np.quantile(x, [0.1, 0.5, 0.9, 1.0], axis=1)
    got = row_quantiles(x, [0.1, 0.5, 0.9, 1.0])
    assert np.isnan(got[:, 0]).all()
    assert np.array_equal(got, want, equal_nan=True)


@pytest.mark.parametrize("n", [2048, 2049, 5000, 16384])
def test_row_quantiles_of_long_rows_by_partitions_equal_numpy(n):
    # from SELECT_FROM values the order statistics come from partitions, not a sort:
    # atoms, ties, infinities and the ends (q = 0 and 1) included
    from sim.runner.quantiles import SELECT_FROM, order_statistics

    assert n >= SELECT_FROM
    rng = np.random.default_rng(n)
    x = rng.normal(size=(5, n)) * 1e5
    x[1, ::3] = 0.0
    x[2] = np.round(x[2] / 1e5)  # a handful of distinct values, each many times
    x[3, :7], x[3, -5:] = -np.inf, np.inf
    x[4, 1] = np.nan
    with np.errstate(invalid="ignore"):
        want = np.quantile(x, QS, axis=1)
    got = row_quantiles(x, QS)
    assert np.array_equal(got, want, equal_nan=True)
    assert np.isnan(got[:, 4]).all()
    ranks = [0, 1, n // 2, n - 2, n - 1]
    assert np.array_equal(order_statistics(x[:4], ranks), np.sort(x[:4])[:, ranks])


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 3000),
              elements=st.floats(-1e12, 1e12, allow_subnormal=False)),
       st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6))
def test_quantile_is_numpys_bit_for_bit(x, qs):
    # the analyses' deciles and bin edges (sim.decision), short and long (partitioned) rows
    assert np.array_equal(quantile(x, qs), np.quantile(x, qs))


@settings(max_examples=80, deadline=None)
@given(st.one_of(
    arrays(np.int64, st.integers(0, 200), elements=st.integers(-5, 5)),
    arrays(np.float64, st.integers(0, 200),
           elements=st.sampled_from([-1.5, 0.0, 1.0, 2.5, np.inf, -np.inf, np.nan]))))
def test_distinct_is_numpys_unique(a):
    # sorted, each value once, NaN once and last (numpy's equal_nan): what the pilot's grid,
    # the sweep's values and the Shapley groups' codes took from numpy.unique
    got, want = distinct(a), np.unique(a)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want, equal_nan=True)


RUN = """
import sys, traceback
import numpy as np

callers = set()


def spy(name):
    real = getattr(np, name)

    def call(*args, **kwargs):
        caller = traceback.extract_stack(limit=2)[0]
        if "site-packages" not in caller.filename:
            callers.add(f"{name}: {caller.filename}:{caller.lineno}")
        return real(*args, **kwargs)

    setattr(np, name, call)


for name in ("quantile", "percentile", "nanquantile", "unique"):
    spy(name)
from sim.cli import main
main(["run", sys.argv[1], "--samples", "3000", "--out", sys.argv[2], "--quiet"])
print("CALLERS", *sorted(callers), sep="\\n")
"""


@pytest.mark.parametrize("study", ["benchmarks/five_strategies.toml", "studies/enterprise.toml"])
def test_a_run_and_its_report_call_neither_numpy_quantile_nor_unique(tmp_path, study):
    # both import numpy.ma on their first call (~15 ms of a command's start, where numba is
    # not imported: the kernels are built ahead of time); the report's analyses (deciles,
    # bin edges, Sobol' intervals, the pilot's grid, Shapley's groups) use quantile and
    # distinct, the same numbers
    out = subprocess.run([sys.executable, "-c", RUN, str(ROOT / study), str(tmp_path / "out")],
                         capture_output=True, text=True, check=True, cwd=ROOT,
                         timeout=600).stdout
    assert out.split("CALLERS")[-1].split() == []
