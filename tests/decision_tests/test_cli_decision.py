"""``ftrisk tornado`` and ``ftrisk sweep``: output, exit codes, one-line errors, offline HTML."""

from __future__ import annotations

import re

import pytest

from sim.cli import main

from helpers import STUDIES, write_toml


def run_cli(args, capsys):
    code = main([str(a) for a in args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.fixture
def hand_file(tmp_path, hand_document):
    hand_document["study"]["samples"] = 4000
    return write_toml(tmp_path / "hand.toml", hand_document)


def test_tornado_prints_tables_and_writes_offline_html(hand_file, tmp_path, capsys):
    page = tmp_path / "t.html"
    code, out, err = run_cli(["tornado", hand_file, "--strategy", "cheap", "--sobol",
                              "--sobol-samples", "1024", "--html", page], capsys)
    assert code == 0, err
    assert out.startswith("cheap: E[NPV] with each input at its P10 / P90")
    assert re.search(r"cheap\.input_price +5\.8 → 12\.2 +\$1,512 +-\$792 +\$2,304", out)
    # cheap's own review cost moves nothing; self_hosted's GPU price does not enter cheap
    assert "no influence: cheap.cost_per_review\n" in out
    assert "1 input of another strategy does not enter cheap: left out\n" in out
    assert "Sobol' indices, cheap: shares of the variance of NPV (1,024 base samples)" in out
    html = page.read_text(encoding="utf-8")
    assert "vegaEmbed('#chart-s0-tornado'" in html and "vegaEmbed('#chart-s0-sobol'" in html
    assert not re.search(r"<script[^>]+src=", html) and "cdn.jsdelivr" not in html


def test_tornado_probability_metric(capsys):
    code, out, err = run_cli(["tornado", STUDIES / "legal_contracts.toml", "--metric",
                              "payback_within:12", "--samples", "2000"], capsys)
    assert code == 0, err
    assert "P(payback ≤ 12) with each input at its P10 / P90, the others sampled" in out


@pytest.mark.parametrize(("args", "pattern"), [
    (["--metric", "irr"], r"'irr' is not a valid metric"),
    (["--metric", "payback_within:40"], r"N=40 must be a whole month in 1\.\.12"),
    (["--strategy", "frontier"], r"strategy 'frontier' is the baseline"),
    (["--strategy", "nope"], r"'nope' is not a strategy of the study"),
    (["--sobol", "--sobol-samples", "1000"], r"n=1000 must be a power of 2"),
    (["--set", "workload.requests_per_day=-3"], r"workload\.requests_per_day: -3 is outside"),
])
def test_tornado_bad_input_exits_2_with_one_line(hand_file, capsys, args, pattern):
    code, out, err = run_cli(["tornado", hand_file, *args], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ftrisk: error: ")
    assert re.search(pattern, lines[0]), lines[0]


def test_sweep_prints_map_and_crossings(hand_file, tmp_path, capsys):
    page = tmp_path / "s.html"
    code, out, err = run_cli(["sweep", hand_file, "--param", "cheap.input_price",
                              "--range", "4:14:6", "--linear", "--strategy", "cheap",
                              "--html", page], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("cheap.input_price") and "P(pb<=12) cheap" in lines[0]
    assert [ln.split()[0] for ln in lines[2:8]] == ["4", "6", "8", "10", "12", "14"]
    # a fixed price p pays back within 12 months iff p < 10 (at p = 10 it only ties the
    # baseline: cumulative 0, not ahead): P falls from 1 at 8 to 0 at 10, 50% at 9
    # the crossing lies somewhere between the swept 8 and 10: the interval says so
    assert ("cheap: P(payback ≤ 12) = 50%: falls through it at ≈ 9, somewhere in 8–10 "
            "(interpolated between swept values; Monte Carlo ± 0)") in out
    assert "vegaEmbed('#chart-sweep'" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "pattern"), [
    (["--param", "workload.requests_per_dya", "--values", "1,2"],
     r"did you mean 'workload\.requests_per_day'"),
    (["--param", "workload.requests_per_day"], r"give exactly one of --values"),
    (["--param", "workload.requests_per_day", "--values", "1", "--range", "1:2:3"],
     r"give exactly one of --values"),
    (["--param", "workload.requests_per_day", "--values=-1,2"], r"-1 is outside"),
    (["--param", "workload.requests_per_day", "--range", "9:1:3"], r"is not a list of values"),
    (["--param", "workload.requests_per_day", "--values", "1", "--months", "99"],
     r"months=99 must lie in 1\.\.12"),
])
def test_sweep_bad_input_exits_2_with_one_line(hand_file, capsys, args, pattern):
    code, out, err = run_cli(["sweep", hand_file, *args], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and re.search(pattern, lines[0]), err


def test_commands_are_listed_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.index("tornado") < out.index("sweep")
