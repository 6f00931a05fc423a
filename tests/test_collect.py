"""Where a run's chunks go (:mod:`sim.runner.collect`): the order statistics are the same
whether the run kept its NPVs in memory, read the columns back from samples.parquet or
streamed them, and equal numpy's on the file's columns; the fan's bands come from the
first samples whatever the chunking."""

from __future__ import annotations

import json

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
