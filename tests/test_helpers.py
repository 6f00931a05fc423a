"""Worker threads that help each other end a run (sim.costs.helpers): the fused model's
blocks claimed one at a time from a shared count, stepped by whichever thread claims them,
with the same numbers."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest

import sim.costs.helpers as helpers
import sim.runner.runner as runner
from sim import load_study, run
from sim.costs.build import pack_study
from sim.costs.fused import simulate
from sim.costs.pack import price_shares
from sim.costs.slots import BLOCK, N_BLOCK_ROWS, N_ROWS, N_STRATEGY_ROWS
from sim.runner.draws import input_values, sampling_plan
from sim.runner.model import discount_factors

from helpers import STUDIES


def _packed(name: str, m: int):
    study = load_study(STUDIES / name).replace(samples=m)
    packed, _ = pack_study(study, input_values(study, sampling_plan(study).rows(0, m)), m)
    h = study.horizon_months
    return packed, h, discount_factors(study.discount_rate, h)


def _call(p, h, disc, claim, out, keep):
    """The fused model on packed coefficients into ``out``, blocks from ``claim``."""
    n_s, m = p.s_lo.size, p.m
    share, records = price_shares(p)
    return simulate(p.vals, p.off, p.step, p.slots, p.flags, p.cx, p.cy, p.coff, p.cb,
                    p.s_lo, p.s_hi, p.base_s, p.shared, h, h, disc, m, keep, *out,
                    np.empty((n_s, h, 0)), np.empty((h, 0)), p.shocks is not None,
                    np.zeros((0, 0)) if p.shocks is None else p.shocks,
                    np.ones(12) if p.season is None else p.season, share,
                    np.zeros((p.flags.shape[0], N_ROWS * BLOCK)),
                    np.zeros((n_s, N_STRATEGY_ROWS * BLOCK)),
                    np.zeros((N_BLOCK_ROWS + h * (1 + 2 * records)) * BLOCK), claim)


def _outputs(p, h, keep, fill=np.nan):
    n_s, m = p.s_lo.size, p.m
    return [np.full((n_s, m), fill), np.zeros((n_s, m), dtype=np.int16),
            np.full((n_s, m), fill), np.full((n_s, m), fill), np.full((n_s, h, keep), fill)]


@pytest.mark.parametrize("name", ["legal_contracts.toml", "enterprise.toml",
                                  "customer_support.toml"])
@pytest.mark.parametrize("first", [1, 7, 30])
def test_a_call_that_starts_at_a_later_block_steps_it_as_a_whole_run_does(name, first):
    """A helper's first block is not the call's first: its shared coefficients must be
    loaded there all the same. Blocks ``first``.. of a call whose count starts at
    ``first`` equal the whole call's, bit for bit (the last one partial), and the blocks
    before are not touched."""
    m = 30 * BLOCK + 17
    p, h, disc = _packed(name, m)
    whole = _outputs(p, h, m)
    assert _call(p, h, disc, np.zeros(1, dtype=np.int64), whole, m) == 31
    part = _outputs(p, h, m)
    claim = np.array([first], dtype=np.int64)
    assert _call(p, h, disc, claim, part, m) == 31 - first
    assert claim[0] > 30  # every block claimed
    a = first * BLOCK
    for got, ref in zip(part, whole, strict=True):
        np.testing.assert_array_equal(got[..., a:], ref[..., a:])
        if got.dtype == np.float64:
            assert np.isnan(got[..., :a]).all()


def test_two_threads_stepping_one_call_give_the_call_alone():
    p, h, disc = _packed("enterprise.toml", 32 * 1024)
    alone = _outputs(p, h, 100)
    _call(p, h, disc, np.zeros(1, dtype=np.int64), alone, 100)
    shared = _outputs(p, h, 100)
    claim = np.zeros(1, dtype=np.int64)
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(
        _call(p, h, disc, claim, shared, 100))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 512  # each block stepped once, by one of them
    for got, ref in zip(shared, alone, strict=True):
        np.testing.assert_array_equal(got, ref)


def test_the_owner_waits_for_its_helpers():
    """Leaving ``offered`` waits until every helper stepping the call is back; a helper
    that comes after the blocks are claimed steps none; nothing on offer, nothing done."""
    left = [6]
    lock = threading.Lock()
    owner = threading.current_thread()

    def step() -> int:
        done = 0
        while True:
            with lock:
                if left[0] == 0:
                    return done
                left[0] -= 1
            # a block: the helper's slow, so it is still stepping one when the owner is done
            time.sleep(0.005 if threading.current_thread() is owner else 0.2)
            done += 1

    helped: list[int] = []
    with helpers.offered(step):
        t = threading.Thread(target=lambda: helped.append(helpers.help_open()))
        t.start()
        time.sleep(0.01)
        mine = step()
        assert not helped  # the helper is still in its block
    assert helped and mine + helped[0] == 6 and left[0] == 0  # the helper is back
    t.join()
    assert helpers.help_open() == 0
    assert not helpers._OPEN


def test_a_helper_that_fails_does_not_hold_the_owner():
    def broken() -> int:
        raise RuntimeError("a helper's error")

    errors: list[BaseException] = []

    def helper() -> None:
        try:
            helpers.help_open()
        except RuntimeError as err:
            errors.append(err)

    with helpers.offered(broken):
        t = threading.Thread(target=helper)
        t.start()
        t.join()
    assert errors and not helpers._OPEN


@pytest.mark.parametrize("write", [False, True])
def test_a_run_whose_workers_help_each_other_gives_the_same_figures(tmp_path, monkeypatch,
                                                                    write):
    """Workers with no chunk left to start help the others (sim.runner.runner.work);
    the summary, the fan and the columns are those of a run on one worker."""
    calls: list[int] = []
    real = runner.help_open

    def spy() -> int:
        n = real()
        calls.append(n)
        return n

    monkeypatch.setattr(runner, "help_open", spy)
    study = load_study(STUDIES / "enterprise.toml").replace(samples=40_000)
    kw = {"samples_path": tmp_path / "a.parquet", "chunk_size": 7_000} if write else {
        "write": False}
    two = run(study, workers=2, **kw)
    assert calls  # a worker that ran out of chunks offered its help
    calls.clear()
    one = run(study, workers=1, **({"samples_path": tmp_path / "b.parquet"} if write
                                   else {"write": False}))
    assert not calls  # alone, no one to help
    assert json.dumps(two.summary.to_json()) == json.dumps(one.summary.to_json())
    assert two.fan.equals(one.fan)
    assert two.samples().equals(one.samples())
