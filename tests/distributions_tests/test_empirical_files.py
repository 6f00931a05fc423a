"""``empirical = { file, column }``: CSV and parquet columns, paths relative to the study."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from distributions import DistributionError, Empirical, parse


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    hours = [12.0, 15.5, 9.0, 22.0, 18.0, 11.0]
    pl.DataFrame({"team": list("abcdef"), "hours": hours}).write_csv(d / "hours.csv")
    pl.DataFrame({"hours": hours}).write_parquet(d / "hours.parquet")
    pl.DataFrame({"runs": [3, 5, 5, 8]}).write_csv(d / "runs.tsv", separator="\t")
    return tmp_path


def test_csv_column_relative_to_base_dir(data_dir):
    d = parse({"empirical": {"file": "data/hours.csv", "column": "hours"}}, base_dir=data_dir)
    assert isinstance(d, Empirical)
    assert d.observations == (9.0, 11.0, 12.0, 15.5, 18.0, 22.0)
    assert "hours.csv:hours" in d.describe()


def test_parquet_single_column_needs_no_column_name(data_dir):
    d = parse({"empirical": {"file": "data/hours.parquet"}}, base_dir=data_dir)
    assert d.support == (9.0, 22.0)


def test_tsv_and_resample(data_dir):
    d = parse({"empirical": {"file": "data/runs.tsv", "method": "resample"}}, base_dir=data_dir)
    assert d.integer and d.discrete
    assert set(np.unique(d.sample(500, rng=0))) == {3.0, 5.0, 8.0}


def test_absolute_path_ignores_base_dir(data_dir, tmp_path):
    path = str(data_dir / "data" / "hours.csv")
    d = parse({"empirical": {"file": path, "column": "hours"}}, base_dir="/nonexistent")
    assert d.n == 6


@pytest.mark.parametrize(("content", "message"), [
    ("hours\n1\n2\nabc\n", r"data row 3 holds 'abc', not a number; fix or remove it"),
    ("hours\n1\n\n3\n", r"empty cells in data row\(s\) 2"),
    ("hours,x\n1,1\n,2\n3,3\n", r"empty cells in data row\(s\) 2; fill or remove them"),
    ("hours\n", r"has no data rows"),
    ("hours\n1\ninf\n", r"data row 2 is inf; remove non-finite values"),
])
def test_bad_data_names_the_row(tmp_path, content, message):
    (tmp_path / "h.csv").write_text(content)
    with pytest.raises(DistributionError, match=message):
        parse({"empirical": {"file": "h.csv", "column": "hours"}}, base_dir=tmp_path)


def test_missing_file_column_and_format(data_dir):
    with pytest.raises(DistributionError, match=r"data file .*nope.csv not found; paths are "
                                                r"relative to the study file"):
        parse({"empirical": {"file": "nope.csv", "column": "x"}}, base_dir=data_dir)
    with pytest.raises(DistributionError, match=r"has no column 'hour'; did you mean 'hours'\?"):
        parse({"empirical": {"file": "data/hours.csv", "column": "hour"}}, base_dir=data_dir)
    with pytest.raises(DistributionError, match=r"has 2 columns; say which with column = one "
                                                r"of team, hours"):
        parse({"empirical": {"file": "data/hours.csv"}}, base_dir=data_dir)
    with pytest.raises(DistributionError, match=r"is not a .csv or .parquet file"):
        parse({"empirical": {"file": "data/hours.xlsx"}}, base_dir=data_dir)
    with pytest.raises(DistributionError, match=r"holds String|not a number"):
        parse({"empirical": {"file": "data/hours.csv", "column": "team"}}, base_dir=data_dir)
    with pytest.raises(DistributionError, match=r"file and column must be strings"):
        parse({"empirical": {"file": 3}}, base_dir=data_dir)


def test_unreadable_parquet(tmp_path):
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(DistributionError, match=r"cannot read .*bad.parquet") as info:
        parse({"empirical": {"file": "bad.parquet"}}, base_dir=tmp_path)
    assert "\n" not in str(info.value)
