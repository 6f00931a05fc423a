"""Packing a chunk straight into its arena (:mod:`sim.costs.arena`, :func:`pack_study`)
gives every coefficient and every model output bit for bit as packing the kernels the
plain way: each strategy built on its own (a routing part built afresh on its share),
every coefficient an array of its own, concatenated at the end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.costs import build
from sim.costs.arena import Arena, add, mul, opened, over, power
from sim.costs.build import Sections, _kernel, _routing, _workload, pack_study
from sim.costs.fused import CUT_EPS
from sim.costs.pack import Packed, Packer
from sim.costs.prices import cuts_to_floor
from sim.runner.draws import chunk_values
from sim.runner.model import discount_factors
from sim.study import Study, load_study

ROOT = Path(__file__).resolve().parents[1]
#: every kind, routing over a baseline built on its own, a volume process, simulated
#: serving, training compute estimated, card hours
STUDIES = ["benchmarks/five_strategies.toml", "studies/customer_support.toml",
           "studies/voice_intent.toml", "studies/enterprise.toml",
           "studies/legal_contracts.toml", "studies/code_completion.toml"]


def plain_pack(study: Study, values: dict, m: int, names: list[str]) -> Packed:
    """pack_study as it was before the arena: no arena, every part built afresh."""
    sections = Sections(values)
    w = _workload(study, values, sections)
    packer = Packer(m)
    packer.add_shared(w)
    ranges = []
    for name in names:
        s = study.strategies[name]
        kernel = (_routing(study, s, values, w, sections) if s.kind_spec.components
                  else _kernel(study, name, values, w, sections))
        first = None
        for c in kernel.components():
            k = packer.add(c)
            first = k if first is None else first
        ranges.append((first, k + 1))
    return packer.done(ranges, names.index(study.baseline))


def coefficients(p: Packed) -> dict[str, np.ndarray]:
    """Every slot of every component and every shared value, one value per sample."""
    i = np.arange(p.m)

    def per_sample(idx: np.ndarray) -> np.ndarray:
        return p.vals[p.off[idx][..., None] + p.step[idx][..., None] * i]

    out = {"slots": per_sample(p.slots), "shared": per_sample(p.shared)}
    for name in ("flags", "cx", "cy", "coff", "cb", "s_lo", "s_hi"):
        out[name] = getattr(p, name)
    if p.shocks is not None:
        assert p.season is not None
        out["shocks"], out["season"] = p.shocks, p.season
    return out


def outputs(p: Packed, study: Study) -> dict[str, np.ndarray]:
    h = study.horizon_months
    o = p.simulate(horizon=h, disc=discount_factors(study.discount_rate, h), keep=3,
                   paths=True)
    o.fan[p.base_s] = 0.0  # the baseline's row is not written
    return {k: getattr(o, k) for k in ("npv", "payback", "fractional", "tco", "fan",
                                       "paths", "volume")}


def assert_identical(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape, k
        assert a[k].tobytes() == b[k].tobytes(), k  # bit for bit (NaN and -0.0 included)


@pytest.mark.parametrize("path", STUDIES)
def test_pack_study_is_the_plain_packing_bit_for_bit(path):
    study = load_study(ROOT / path).replace(samples=4000)
    m = 2500
    values = chunk_values(study, 1500, 1500 + m)
    names = study.compared()
    want = plain_pack(study, values, m, names)
    for _ in range(2):  # the first guess of the arena's size, then the size it needed
        got, kernels = pack_study(study, values, m)
        assert_identical(coefficients(got), coefficients(want))
        assert_identical(outputs(got, study), outputs(want, study))
    assert set(kernels) == set(names)


def test_a_subset_of_strategies_packs_the_same():
    study = load_study(ROOT / "benchmarks/five_strategies.toml").replace(samples=3000)
    values = chunk_values(study, 0, 3000)
    names = ["routed_70_30", "frontier"]
    got, kernels = pack_study(study, values, 3000, names)
    want = plain_pack(study, values, 3000, names)
    assert list(kernels) == names
    assert_identical(coefficients(got), coefficients(want))
    assert_identical(outputs(got, study), outputs(want, study))


def test_an_arena_too_small_appends_what_does_not_fit(monkeypatch):
    study = load_study(ROOT / "benchmarks/five_strategies.toml").replace(samples=3000)
    values = chunk_values(study, 0, 3000)
    names = study.compared()
    monkeypatch.setattr(build, "_ARENA_SIZES", {})
    monkeypatch.setattr(build, "_arena", lambda key: Arena(3000, rows=2, scalars=1))
    got, _ = pack_study(study, values, 3000)
    want = plain_pack(study, values, 3000, names)
    assert got.vals.size > 2 * 3000 + 1  # the rest was appended
    assert_identical(coefficients(got), coefficients(want))
    assert_identical(outputs(got, study), outputs(want, study))


def test_the_arena_learns_the_size_a_chunk_needs(monkeypatch):
    study = load_study(ROOT / "benchmarks/five_strategies.toml").replace(samples=3000)
    values = chunk_values(study, 0, 3000)
    monkeypatch.setattr(build, "_ARENA_SIZES", {})
    first, _ = pack_study(study, values, 3000)
    (rows, scalars), = build._ARENA_SIZES.values()
    per_sample = int(np.count_nonzero(first.step))
    assert rows >= per_sample
    second, _ = pack_study(study, values, 3000)
    assert second.vals.size == rows * 3000 + scalars + 16  # rows, shared values, room
    assert list(build._ARENA_SIZES.values()) == [(rows, scalars)]  # unchanged


def test_operations_write_into_the_open_arena_only_for_per_sample_results():
    x = np.array([0.5, 2.0, 4.0])
    with opened(Arena(3, rows=3, scalars=0)) as arena:
        a, b, c = mul(x, 3.0), add(1.0, x), power(x, 0.5)
        assert mul(2.0, 3.0) == 6.0 and arena.used == 3
        d = add(x, x)  # no row left: a fresh array
    assert a.base is b.base is c.base is arena.buf and d.base is None
    assert [a.tolist(), b.tolist(), c.tolist(), d.tolist()] == [
        (x * 3.0).tolist(), (1.0 + x).tolist(), (x ** 0.5).tolist(), (x + x).tolist()]
    assert arena.missed == 1
    assert mul(x, 2.0).base is None  # closed: plain numpy


def test_over_writes_only_over_a_fresh_array_of_the_results_shape():
    x = np.array([1.0, -2.0, 0.5])
    t = x * 2.0
    assert over(np.multiply, t, 3.0, t) is t and t.tolist() == [6.0, -12.0, 3.0]
    u = x * 1.0
    assert over(np.subtract, 1.0, u, u) is u and u.tolist() == [0.0, 3.0, 0.5]
    v = over(np.add, x[:2], 1.0, x[:2])  # a view is never written over
    assert v.tolist() == [2.0, -1.0] and x.tolist() == [1.0, -2.0, 0.5]
    w = np.array([1.0]) * 1.0
    assert over(np.add, w, x, w).shape == (3,) and w.tolist() == [1.0]  # broadcast: new


def _cuts_to_floor_plain(size, floor):
    size, floor = np.asarray(size, dtype=np.float64), np.asarray(floor, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.ceil(np.log(floor) / np.log1p(-size) - CUT_EPS)
    k = np.where(floor <= 0.0, np.inf, k)
    return np.where((size <= 0.0) | (floor >= 1.0), 0.0, k)


@pytest.mark.parametrize("floor", ["per sample", 0.2, 0.0, 1.0, -0.1, float("nan")])
def test_cuts_to_floor_per_sample_is_the_plain_formula(floor):
    rng = np.random.default_rng(7)
    size = np.concatenate([rng.uniform(-0.2, 1.2, 2000), [0.0, -0.0, 1.0, np.nan, 0.5, 0.3]])
    f = np.concatenate([rng.uniform(-0.2, 1.2, 2000), [0.2, 0.0, 1.0, 0.2, np.nan, 0.49]]) \
        if floor == "per sample" else floor
    want = _cuts_to_floor_plain(size, f)
    assert cuts_to_floor(size, f).tobytes() == want.tobytes()
    with opened(Arena(size.size, rows=1, scalars=0)) as arena:
        got = cuts_to_floor(size, f)
    assert got.base is arena.buf and got.tobytes() == want.tobytes()
    assert float(cuts_to_floor(0.5, 0.25)) == 2.0  # scalars: the plain formula
