"""samples.parquet: fixed row groups in sample order, nulls for "no payback", streamed back."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from sim.runner.samples_file import SamplesWriter, iter_columns, read_columns


def write(path, blocks, row_group):
    with SamplesWriter(path, row_group=row_group) as w:
        for b in blocks:
            w.append(b)
    return path


def blocks_of(n, sizes):
    """Column blocks of ``sample = 0..n-1`` (and x = 10 * sample) cut at ``sizes``."""
    out, start = [], 0
    for size in sizes:
        s = np.arange(start, start + size)
        out.append({"sample": s, "x": 10.0 * s})
        start += size
    assert start == n
    return out


@pytest.mark.parametrize("sizes", [[10], [3, 3, 4], [1] * 10, [7, 2, 1], [4, 6]])
def test_row_groups_are_fixed_and_in_sample_order(tmp_path, sizes):
    path = write(tmp_path / "s.parquet", blocks_of(10, sizes), row_group=4)
    meta = pq.ParquetFile(path).metadata
    assert [meta.row_group(g).num_rows for g in range(meta.num_row_groups)] == [4, 4, 2]
    # read back one row group at a time, in order
    groups = [b["sample"].tolist() for b in iter_columns(path, ["sample"])]
    assert groups == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    # and by an independent reader
    frame = pl.read_parquet(path)
    assert frame["sample"].to_list() == list(range(10))
    assert frame["x"].to_list() == [10.0 * i for i in range(10)]


def test_same_bytes_whatever_the_chunking(tmp_path):
    a = write(tmp_path / "a.parquet", blocks_of(10, [10]), row_group=4)
    b = write(tmp_path / "b.parquet", blocks_of(10, [1, 2, 3, 4]), row_group=4)
    assert a.read_bytes() == b.read_bytes()


def test_iter_columns_picks_and_converts_columns(tmp_path):
    path = write(tmp_path / "s.parquet", blocks_of(5, [5]), row_group=2)
    out = list(iter_columns(path, ["x", "sample"]))
    assert [list(b) for b in out] == [["x", "sample"]] * 3
    assert np.concatenate([b["x"] for b in out]).tolist() == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert all(b["sample"].dtype == np.float64 for b in out)


def test_no_payback_and_nan_are_nulls(tmp_path):
    path = tmp_path / "s.parquet"
    with SamplesWriter(path, row_group=3) as w:
        w.append({"payback": np.array([0, 3, 12, 0], dtype=np.int16),
                  "roi": np.array([np.nan, 1.5, -0.5, 2.0])})
    frame = pl.read_parquet(path)
    assert frame["payback"].to_list() == [None, 3, 12, None]
    assert frame["roi"].to_list() == [None, 1.5, -0.5, 2.0]
    back = np.concatenate([b["payback"] for b in iter_columns(path, ["payback"])])
    np.testing.assert_array_equal(back, [np.nan, 3.0, 12.0, np.nan])


def test_empty_writer_writes_nothing(tmp_path):
    with SamplesWriter(tmp_path / "s.parquet"):
        pass
    assert not (tmp_path / "s.parquet").exists()


@pytest.mark.parametrize("rows", [None, 0, 1, 4, 5, 9, 10, 11, 1000])
def test_read_columns_reads_the_first_rows_across_row_groups(tmp_path, rows):
    path = write(tmp_path / "s.parquet", blocks_of(10, [3, 7]), row_group=4)
    got = read_columns(path, ["x", "sample"], rows=rows)
    n = 10 if rows is None else min(rows, 10)
    assert list(got) == ["x", "sample"]
    assert got["x"].dtype == got["sample"].dtype == np.float64
    assert got["x"].tolist() == [10.0 * i for i in range(n)]
    assert got["sample"].tolist() == list(range(n))


def test_read_columns_gives_nulls_as_nan_like_polars(tmp_path):
    m = np.array([0, 3, 0, 12, 7], np.int16)  # 0: no payback, written as null
    x = np.array([1.5, np.nan, -2.0, 4.0, np.nan])
    path = write(tmp_path / "s.parquet", [{"m": m, "x": x}], row_group=2)
    got = read_columns(path, ["m", "x"])
    ref = pl.read_parquet(path)
    np.testing.assert_array_equal(got["m"], ref["m"].to_numpy().astype(np.float64))
    np.testing.assert_array_equal(got["x"], ref["x"].to_numpy())
    assert np.isnan(got["m"]).tolist() == [True, False, True, False, False]


def test_a_runs_file_has_required_columns_but_for_payback_and_roi(bundled):
    from sim.runner.samples_file import NULLABLE, nullable

    result = bundled("customer_support")  # an ROI: null for nothing invested, NaN never
    schema = pq.read_schema(result.samples_path)
    measures = {name.partition(".")[0] for name in schema.names}
    assert measures >= NULLABLE | {"npv", "tco", "sample", "workload"}
    for field in schema:
        assert field.nullable == nullable(field.name), field.name
        assert field.nullable == (field.name.partition(".")[0] in NULLABLE)
    frame = pl.read_parquet(result.samples_path)
    nulls = {c: n for c, n in zip(frame.columns, frame.null_count().row(0), strict=True) if n}
    assert nulls and all(nullable(c) for c in nulls)  # some paybacks not within the horizon
    # the required columns hold no NaN (they would have been nulls before)
    floats = [c for c, t in frame.schema.items() if t == pl.Float64 and not nullable(c)]
    assert floats and not frame.select(pl.col(floats).is_nan().any()).row(0).count(True)


def test_a_writer_told_which_columns_hold_nulls_writes_the_others_as_given(tmp_path):
    path = tmp_path / "s.parquet"
    with SamplesWriter(path, row_group=2, nulls=lambda name: name == "m") as w:
        w.append({"x": np.array([1.0, np.nan, 3.0]), "m": np.array([0, 2, 5], np.int16),
                  "k": np.array([0, 1, 2], np.int16)})
    frame = pl.read_parquet(path)
    assert [f.nullable for f in pq.read_schema(path)] == [False, True, False]
    assert frame["m"].to_list() == [None, 2, 5]
    assert frame["k"].to_list() == [0, 1, 2]  # a 0 where no null is asked for
    assert np.isnan(frame["x"][1]) and frame["x"].null_count() == 0


def test_a_runs_file_has_statistics_for_the_sample_number_only(bundled):
    meta = pq.ParquetFile(bundled("customer_support").samples_path).metadata
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for i in range(group.num_columns):
            chunk = group.column(i)
            assert chunk.is_stats_set == (chunk.path_in_schema == "sample")
            assert chunk.compression == "LZ4", chunk.path_in_schema
    first = meta.row_group(0).column(0)
    assert (first.path_in_schema, first.statistics.min, first.statistics.max) == (
        "sample", 0, min(meta.num_rows, 65536) - 1)
