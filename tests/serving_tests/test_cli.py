"""``ftrisk serve``: output, the chart page, and one-line errors with exit code 2."""

from __future__ import annotations

import re

import pytest
from serving_tests.serving_helpers import STUDY

from sim.cli import main


def run_cli(args, capsys):
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_serve_prints_and_charts(tmp_path, capsys):
    code, out, err = run_cli(["serve", str(STUDY), "--strategy", "self_hosted_7b", "--out",
                              str(tmp_path), "--precision", "4000"], capsys)
    assert code == 0, err
    assert "a10g-7b (1x NVIDIA A10G 24GB, $1.03/replica-hour)" in out
    assert "SLA: p99 e2e <= 4000 ms" in out
    # the study's pool of one is the smallest meeting the SLA, and serve says so
    assert re.search(r"fixed 1 \(study; smallest for SLA\)\s+1\s+24\.0\s+\$25", out)
    assert ("smallest pool: 1 replica meets p99 e2e <= 4000 ms at 20,000 requests/day "
            "(busiest hour, fixed pool)") in out
    assert "hourly autoscaling" in out
    page = (tmp_path / "serve_self_hosted_7b.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page) and "cdn.jsdelivr" not in page
    assert page.count("vegaEmbed('#chart-") == 2
    assert "Latency against load" in page and "Replicas over the day" in page


def test_serve_autoscaled_volume_override(tmp_path, capsys):
    code, out, err = run_cli(["serve", str(STUDY), "--strategy", "autoscaled_7b",
                              "--requests-per-day", "300000", "--no-html",
                              "--precision", "4000"], capsys)
    assert code == 0, err
    assert "300,000 requests/day" in out and "scale to zero (study)" in out
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("args", "message"), [
    (["--strategy", "nope"], r"--strategy nope: is not a strategy of the study; use one of "
     "self_hosted_7b, autoscaled_7b"),
    (["--strategy", "frontier"], r"--strategy frontier: is a api strategy, not one serving on "
     "its own GPUs; use one of self_hosted_7b, autoscaled_7b"),
    (["--strategy", "self_hosted_7b", "--requests-per-day", "-5"], r"--requests-per-day -5"),
])
def test_bad_input_exits_2_with_one_line(args, message, capsys):
    code, out, err = run_cli(["serve", str(STUDY), *args], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and re.search(message, err)


def test_unknown_profile_exits_2(tmp_path, capsys):
    text = STUDY.read_text(encoding="utf-8").replace('hardware = "a10g-7b"',
                                                     'hardware = "tpu-7b"')
    study = tmp_path / "bad.toml"
    study.write_text(text, encoding="utf-8")
    code, _, err = run_cli(["serve", str(study), "--strategy", "self_hosted_7b"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "strategies.self_hosted_7b.hardware: 'tpu-7b' is not a hardware profile" in err


def test_serve_says_no_pool_can_meet_the_sla_and_flags_the_stated_p99(capsys):
    # a 50 ms SLA no A10G answer of ~100 tokens can meet, which the study claims it meets
    code, out, err = run_cli(["serve", str(STUDY), "--strategy", "self_hosted_7b",
                              "--set", "constraints.p99_latency_ms=50",
                              "--set", "strategies.self_hosted_7b.p99_latency_ms=40",
                              "--requests-per-day", "500", "--precision", "1000",
                              "--no-html"], capsys)
    assert code == 0, err
    assert re.search(r"smallest pool: no fixed pool meets p99 e2e <= 50 ms: p99 e2e latency "
                     r"cannot go below [\d,]+ ms on a10g-7b \(50 ms required\)\n", out)
    assert re.search(r"warning: the study states p99_latency_ms = 40 for self_hosted_7b, but "
                     r"this simulation of its policy gives a p99 of [\d,]+ ms; ftrisk run takes "
                     r"the study's figure for the 50 ms constraint and flags the "
                     r"contradiction\. Check the figure or the hardware\.\n", out)
    assert err == ""  # not a terminal: no status lines


def test_serve_without_an_sla_says_none_is_searched(tmp_path, capsys):
    text = STUDY.read_text(encoding="utf-8").split("[constraints]")[0]
    study = tmp_path / "no_sla.toml"
    study.write_text(text, encoding="utf-8")
    code, out, err = run_cli(["serve", str(study), "--strategy", "self_hosted_7b",
                              "--requests-per-day", "500", "--precision", "1000",
                              "--no-html"], capsys)
    assert code == 0, err
    assert ("smallest pool: the study sets no latency SLA ([constraints] p99_latency_ms), so "
            "none is searched\n") in out
    assert "warning:" not in out
