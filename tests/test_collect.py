"""Where a run's chunks go (:mod:`sim.runner.collect`): the order statistics are the same
whether the run kept its NPVs in memory, read the columns back from samples.parquet or
streamed them, and equal numpy's on the file's columns; the fan's bands come from the
first samples whatever the chunking."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import polars as pl
import pytest

import sim.runner.collect as collect
import sim.runner.summary as summary
from sim import run, study_from_dict
from sim.runner.runner import FAN_SAMPLES


@pytest.fixture
def study(lesson_doc):
    lesson_doc["workload"]["requests_per_day"] = {"lognormal": {"median": 50000, "p90": 75000}}
    lesson_doc["strategies"]["self_hosted_7b"]["engineering_hours"] = {"pert": [76, 120, 188]}
    # two row groups of 65,536 and a ragged end: CVaR's tail is summed group by group
    lesson_doc["study"]["samples"] = 70_001
    return study_from_dict(lesson_doc)


def _run(monkeypatch, study, path, *, order_bytes: int, column_bytes: int):
    monkeypatch.setattr(collect, "ORDER_BYTES", order_bytes)
    monkeypatch.setattr(summary, "COLUMN_BYTES", column_bytes)
    return run(study, samples_path=path, workers=1)


def test_order_statistics_do_not_depend_on_where_they_come_from(study, tmp_path, monkeypatch):
    kept = _run(monkeypatch, study, tmp_path / "a.parquet", order_bytes=1 << 30,
                column_bytes=1 << 30)
    read = _run(monkeypatch, study, tmp_path / "b.parquet", order_bytes=0,
                column_bytes=1 << 30)
    streamed = _run(monkeypatch, study, tmp_path / "c.parquet", order_bytes=0,
                    column_bytes=0)
    light = run(study, write=False)
    docs = {json.dumps(r.summary.to_json()) for r in (kept, read, streamed, light)}
    assert len(docs) == 1
    # numpy's figures on the file's own columns
    frame = pl.read_parquet(kept.samples_path)
    s = kept.summary.strategies["self_hosted_7b"]
    x = frame["npv.self_hosted_7b"].to_numpy()
    assert [s.npv_quantiles[q] for q in (0.1, 0.5, 0.9)] == np.quantile(x, [0.1, 0.5, 0.9]
                                                                         ).tolist()
    paid = frame["payback_months.self_hosted_7b"].fill_null(np.inf).to_numpy()
    assert s.payback_median_fractional is not None
    assert s.payback_median_fractional == np.sort(paid)[(paid.size - 1) // 2]


def test_fan_bands_come_from_the_first_samples_whatever_the_chunking(study, tmp_path):
    whole = run(study, write=False)
    chunked = run(study, samples_path=tmp_path / "s.parquet", chunk_size=5000, workers=2)
    assert chunked.fan.equals(whole.fan)
    assert whole.fan["month"].max() == study.horizon_months
    assert study.samples > FAN_SAMPLES  # the bands leave the later samples out


def test_read_column_gives_the_written_values_bit_for_bit(tmp_path):
    from sim.runner.samples_file import SamplesWriter, read_column

    x = np.random.default_rng(3).normal(size=1001)
    x[[0, 500, 1000]] = np.nan
    months = np.arange(1001, dtype=np.int16) % 7
    with SamplesWriter(tmp_path / "s.parquet", row_group=300) as w:
        w.append({"x": x[:450], "m": months[:450]})
        w.append({"x": x[450:], "m": months[450:]})
    back = read_column(tmp_path / "s.parquet", "x")
    assert back.dtype == np.float64
    np.testing.assert_array_equal(back.view(np.uint64)[~np.isnan(x)],
                                  x.view(np.uint64)[~np.isnan(x)])
    assert np.isnan(back[[0, 500, 1000]]).all()
    m = read_column(tmp_path / "s.parquet", "m")
    assert np.isnan(m[months == 0]).all()  # a payback month of 0 is null in the file
    assert (m[months != 0] == months[months != 0]).all()


@pytest.mark.parametrize("keep_all", [True, False])
def test_row_groups_summed_as_chunks_finish_in_any_order_give_the_run_figures(
        study, tmp_path, keep_all):
    """Workers place their chunks in whatever order they finish; each row group is summed
    up by the thread that completes it and merged in file order: the figures are the
    run's, bit for bit."""
    from sim.runner.decomposition import explain
    from sim.runner.point import point_estimate
    from sim.runner.runner import plan_chunk
    from sim.runner.samples_file import frame_of

    reference = run(study, samples_path=tmp_path / "ref.parquet", workers=1)
    writer = None if keep_all else collect.BackgroundWriter(tmp_path / "s.parquet")
    c = collect.Collector(study, writer=writer, keep_all=keep_all)
    bounds = [(a, min(a + 7777, study.samples)) for a in range(0, study.samples, 7777)]
    chunks = {a: plan_chunk(study, a, b) for a, b in bounds}
    placed = {a: c.place(chunks[a][0], a) for a, _ in reversed(bounds)}
    assert len(c._stats) == 2  # both row groups summed up before any chunk was taken in
    for a, _ in bounds:
        c.add(placed[a], chunks[a][1])
    if writer is not None:
        writer.close()
    got = c.finish()
    summary = got.acc.finish(got.order, point_estimate(study), explain(study))
    assert json.dumps(summary.to_json()) == json.dumps(reference.summary.to_json())
    if keep_all:
        assert got.columns is not None
        assert frame_of(got.columns).equals(pl.read_parquet(reference.samples_path))


def test_a_run_held_in_memory_keeps_the_drawn_inputs_without_copying_them(study):
    from sim.runner.draws import Draws

    result = run(study, write=False, workers=2)
    drawn = Draws(study).values(0, study.samples)
    assert result.columns is not None
    for inp in study.uncertain_inputs():
        assert np.shares_memory(result.columns[inp.path], drawn[inp.path]), inp.path


def test_the_histogram_by_bisection_counts_as_numpy_does():
    """Values on the bin edges, ties and both tails: the sorted-array counts of
    MemoryOrderStats equal numpy's histogram with the same edges, streamed in batches."""
    rng = np.random.default_rng(11)
    x = np.round(rng.standard_t(2, size=150_000) * 1e4, -2)
    lo, hi = -2e4, 3e4
    edges = np.linspace(lo, hi, summary.HIST_BINS + 1)
    x[:500] = rng.choice(edges, size=500)  # exactly on the edges, the last included
    mem = summary.MemoryOrderStats({"s": x}, {"s": x}, 65536)
    (got_edges, counts), tails = mem.npv_histogram("s", lo, hi)
    streamed = summary._histogram(lambda: iter([x[:70_000], x[70_000:]]), lo, hi)
    assert ((got_edges, counts), tails) == streamed
    assert sum(counts) + sum(tails) == x.size
    assert tails == (int(np.count_nonzero(x < lo)), int(np.count_nonzero(x > hi)))
    assert list(counts) == np.histogram(x, bins=edges)[0].tolist()


def test_started_returns_the_result_or_raises_the_error_in_the_caller():
    from sim.runner.threads import started

    assert started(lambda: sum(range(10)))() == 45

    def fails() -> None:
        raise ValueError("in the task")

    result = started(fails)
    with pytest.raises(ValueError, match="in the task"):
        result()


@pytest.mark.parametrize("none", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_the_median_payback_in_memory_counts_no_payback_as_infinite(none):
    """The median fractional payback from memory: the (n-1)//2-th smallest value with NaN
    (no payback) as infinity, None when that one is infinite."""
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 1000, 1001):
        x = rng.uniform(1, 36, n)
        x[rng.random(n) < none] = np.nan
        ref = np.sort(np.where(np.isnan(x), np.inf, x))[(n - 1) // 2]
        order = summary.MemoryOrderStats({"s": np.zeros(n)}, {"s": x}, 65536)
        got = order.median_payback("s")
        assert got == (float(ref) if np.isfinite(ref) else None)
        assert np.isnan(x).sum() == np.isnan(order.payback_months["s"]).sum()  # not changed


def test_order_statistics_from_the_file_kept_npvs_or_streamed_agree(tmp_path):
    """The summary's order statistics of a samples file: streamed (OrderStats), one column
    read back at a time (ColumnOrderStats), and with the NPVs kept in memory, sorted and
    the median paybacks found on two threads (prepare): the same numbers."""
    from sim.runner.samples_file import SamplesWriter, nullable

    rng = np.random.default_rng(5)
    n, names = 70_001, ["a", "b", "c"]
    npv = {s: np.round(rng.standard_t(3, n) * 1e4, -1) for s in names}
    cols = {"sample": np.arange(n)}
    for i, s in enumerate(names):
        cols[f"npv.{s}"] = npv[s]
        pb = rng.uniform(1.0, 36.0, n)
        pb[rng.random(n) < 0.3 + 0.2 * i] = np.nan  # no payback: null in the file
        cols[f"payback_months.{s}"] = pb
    path = tmp_path / "samples.parquet"
    with SamplesWriter(path, nulls=nullable) as w:  # row groups of 65,536: two
        w.append(cols)
    qs = [0.005, 0.05, 0.5, 0.95, 0.995]

    def figures(order):
        order.prepare(names)
        return [(order.npv_quantiles(s, qs), order.npv_cvar(s),
                 order.npv_histogram(s, -3e4, 3e4), order.median_payback(s)) for s in names]

    streamed = figures(summary.OrderStats(path, n))
    column = summary.ColumnOrderStats(path, n, 65536)
    kept = summary.ColumnOrderStats(path, n, 65536, {s: npv[s].copy() for s in names})
    assert figures(column) == streamed
    assert figures(kept) == streamed
    assert sorted(kept._sorted) == names and sorted(kept._medians) == names  # prepared
    assert column._sorted.keys() <= {names[-1]} and not column._medians  # one column


def _sorts(monkeypatch, delay: float = 0.0):
    """Count the NPV sorts MemoryOrderStats.prepare makes (and on which thread); each takes
    ``delay`` seconds more."""
    calls: list[str] = []
    real = summary.np.sort

    class Counting:
        def __getattr__(self, name):
            return getattr(np, name)

        @staticmethod
        def sort(x, *a, **k):
            calls.append(threading.current_thread().name)
            time.sleep(delay)
            return real(x, *a, **k)

    monkeypatch.setattr(summary, "np", Counting())
    return calls


def test_a_run_held_in_memory_sorts_its_npvs_once_its_last_rows_are_in(study, monkeypatch):
    """The summary's sorts of a run held in memory start on a thread of their own once
    the last chunk's rows are placed (while that chunk's row groups are summed up); the
    summary waits for them (slow here) and sorts nothing again, and its figures are the
    file's."""
    import sim.runner.runner as runner

    calls = _sorts(monkeypatch, delay=0.3)
    finished = []
    real_finish = summary.Accumulator.finish

    def finish(self, order, *a, **k):
        finished.append(len(calls))  # sorts made before the summary is asked for
        return real_finish(self, order, *a, **k)

    monkeypatch.setattr(summary.Accumulator, "finish", finish)
    light = run(study, write=False, workers=2, chunk_size=20_000)
    others = len(study.compared()) - 1
    assert finished == [others] and len(calls) == others  # each strategy's NPV sorted once
    assert set(calls) == {"ftrisk-task"}  # on started() threads, not the worker's
    monkeypatch.undo()
    reference = runner.run(study, workers=1)
    assert json.dumps(light.summary.to_json()) == json.dumps(reference.summary.to_json())


def test_a_run_held_in_memory_that_stops_short_sorts_in_its_summary(study):
    """A collector given fewer rows than the study's samples (a run that stopped short)
    never starts the early sorts: its order statistics are made when it finishes."""
    from sim.runner.runner import plan_chunk

    c = collect.Collector(study, writer=None, keep_all=True)
    columns, fan = plan_chunk(study, 0, 30_000)
    c.add(c.place(columns, 0, fan), fan)
    assert c._order is None
    got = c.finish()
    assert isinstance(got.order, summary.MemoryOrderStats) and got.acc.total == 30_000


def test_prepare_sorts_only_what_an_earlier_call_left(monkeypatch):
    calls = _sorts(monkeypatch)
    rng = np.random.default_rng(1)
    npv = {s: rng.normal(size=1000) for s in "abc"}
    pay = {s: rng.uniform(1, 36, 1000) for s in "abc"}
    order = summary.MemoryOrderStats(npv, pay, 65536)
    order.prepare(["a", "b"])
    assert len(calls) == 2
    order.prepare(["a", "b", "c"])  # only the one left
    assert len(calls) == 3
    order.prepare(["c"])
    assert len(calls) == 3
    assert order.npv_quantiles("c", [0.5]) == [float(np.quantile(npv["c"], 0.5))]
    assert len(calls) == 3


def test_only_a_run_that_writes_its_file_trims_the_heap(study, tmp_path, monkeypatch):
    """A run held in memory (the interactive path) leaves the heap's free pages for its
    next run; a run that writes samples.parquet hands them back before the report."""
    trims = []
    monkeypatch.setattr(collect, "release_freed_memory", lambda: trims.append(1))
    small = study.replace(samples=5000)
    run(small, write=False)
    assert trims == []
    run(small, samples_path=tmp_path / "s.parquet")
    assert trims == [1]
