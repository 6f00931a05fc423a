"""``ftrisk run``: outputs, exit codes and one-line errors that leave nothing behind."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys

import pytest

from sim.cli import _parser, main

from helpers import STUDIES, write_toml

SUMMARY_KEYS = {"payback_within", "payback_within_se", "payback_median_months", "npv_mean",
             "npv_mean_se", "npv_p10", "npv_p50", "npv_p90", "p_npv_positive", "p_best",
             "point_estimate"}


def run_cli(args, capsys):
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_run_writes_the_four_files(tmp_path, capsys, lesson_doc):
    study = write_toml(tmp_path / "lesson.toml", lesson_doc)
    out = tmp_path / "out"
    code, stdout, err = run_cli(["run", str(study), "--out", str(out)], capsys)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["summary.json", "samples.parquet", "manifest.json", "report.html"])
    summary = json.loads((out / "summary.json").read_text())
    for key in ("baseline", "samples", "seed", "horizon_months", "recommended"):
        assert key in summary
    assert summary["baseline"] == "frontier"
    assert summary["samples"] == 64 and summary["seed"] == 1
    for name in ("frontier", "self_hosted_7b"):
        assert set(summary[name]) >= SUMMARY_KEYS
    sh = summary["self_hosted_7b"]
    assert sh["payback_within"] == {"3": 1.0, "6": 1.0, "12": 1.0, "24": 1.0}
    assert sh["payback_median_months"] == 3
    # the project paid in month 1, then a flat saving: the interpolated payback is the
    # spreadsheet's 15,096 / 5,283.278, and summary.json keeps it unrounded (2.857317)
    assert sh["payback_median_months_fractional"] == pytest.approx(15096 / 5283.278, rel=1e-9)
    assert sh["point_estimate"]["payback_months"] == pytest.approx(15096 / 5283.278, rel=1e-12)
    assert round(sh["point_estimate"]["payback_months"], 1) == 2.9
    assert summary["recommended"] == "self_hosted_7b"
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("ftrisk_version", "seed", "study_sha256", "samples", "sampling", "timings"):
        assert key in manifest
    assert "pays back within 12 months with probability > 0.999" in stdout
    # the verdict, in plain words with display names, ends the output
    assert stdout.splitlines()[-1] == (
        "Move to Self-hosted 7B. It pays back within 12 months in > 99.9% of futures and "
        "gains $150K on average over 36 months against the Frontier API.")
    assert summary["verdict"] == stdout.splitlines()[-1]
    row = next(ln for ln in stdout.splitlines() if ln.startswith("self_hosted_7b"))
    assert "3 mo (2.9)" in row and row.endswith("2.9")  # median pb (fractional); sheet pb


def test_default_output_folder(tmp_path, capsys, lesson_doc, monkeypatch):
    write_toml(tmp_path / "mystudy.toml", lesson_doc)
    monkeypatch.chdir(tmp_path)
    code, _, _ = run_cli(["run", "mystudy.toml", "--quiet"], capsys)
    assert code == 0
    assert (tmp_path / "out" / "mystudy" / "report.html").is_file()


def test_median_payback_is_null_beyond_horizon(tmp_path, capsys, lesson_doc):
    lesson_doc["workload"]["requests_per_day"] = 5000  # saving < 0: never pays back
    study = write_toml(tmp_path / "s.toml", lesson_doc)
    code, _, _ = run_cli(["run", str(study), "--out", str(tmp_path / "o"), "--quiet"], capsys)
    assert code == 0
    sh = json.loads((tmp_path / "o" / "summary.json").read_text())["self_hosted_7b"]
    assert sh["payback_median_months"] is None
    assert sh["payback_median_months_fractional"] is None
    assert sh["point_estimate"]["payback_months"] == "never"
    assert sh["payback_within"]["24"] == 0.0


BAD = [
    # (change to the lesson document, key named in the message)
    (lambda d: d["workload"].update(requests_per_day={"lognormal": {"p10": 9e4, "p90": 3e4}}),
     r"workload\.requests_per_day: .*p10=90000 must be below p90=30000"),
    (lambda d: d["strategies"]["frontier"].update(input_prise=5.0),
     r"strategies\.frontier\.input_prise: unknown key; did you mean 'input_price'"),
    (lambda d: d["strategies"]["self_hosted_7b"].update(review_rate=1.5),
     r"strategies\.self_hosted_7b\.review_rate: 1\.5 is outside a fraction in \[0, 1\]"),
    (lambda d: d["strategies"]["frontier"].update(input_price=-5.0),
     r"strategies\.frontier\.input_price: -5 is outside an amount >= 0"),
    (lambda d: d["strategies"]["self_hosted_7b"].update(
        review_rate={"beta": {"mean": 0.05, "sd": 0.3}}),
     r"review_rate: beta: sd=0\.3 is too large for a beta with mean=0\.05"),
    (lambda d: d["workload"].update(requests_per_day="0 to 5000"),
     r"workload\.requests_per_day: normal.* outside a quantity > 0"),
    (lambda d: d["study"].update(baseline="gpt4"),
     r"study\.baseline: 'gpt4' is not a strategy"),
    (lambda d: d["strategies"]["self_hosted_7b"].pop("gpu_hourly"),
     r"strategies\.self_hosted_7b\.gpu_hourly: missing"),
    (lambda d: d["study"].update(sampling="quasi"),
     r"study\.sampling: 'quasi' is not a sampling method"),
    (lambda d: d["strategies"]["self_hosted_7b"].update(instances=1.5),
     r"strategies\.self_hosted_7b\.instances: 1\.5 must be a whole number"),
    (lambda d: d["strategies"]["frontier"].update(engineering_hours=10),
     r"strategies\.frontier\.engineering_hours: the baseline is what runs today"),
    (lambda d: d.update(correlations=[{"between": ["workload.requests_per_day",
                                                    "frontier.input_price"], "rank": 0.5}]),
     r"correlations\[1\]\.between: 'frontier\.input_price' is fixed"),
]


@pytest.mark.parametrize(("change", "pattern"), BAD)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, lesson_doc,
                                                            change, pattern):
    lesson_doc["workload"]["requests_per_day"] = "20000 to 80000"
    change(lesson_doc)
    study = write_toml(tmp_path / "bad.toml", lesson_doc)
    out = tmp_path / "out"
    code, stdout, err = run_cli(["run", str(study), "--out", str(out)], capsys)
    assert code == 2
    assert stdout == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"ftrisk: error: {study}: ")
    assert re.search(pattern, lines[0]), lines[0]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_missing_file_and_bad_toml(tmp_path, capsys):
    code, _, err = run_cli(["run", str(tmp_path / "nope.toml")], capsys)
    assert code == 2 and "nope.toml: file not found" in err
    (tmp_path / "broken.toml").write_text("[study\nname = 1\n")
    code, _, err = run_cli(["run", str(tmp_path / "broken.toml")], capsys)
    assert code == 2 and "broken.toml: is not valid TOML" in err
    assert len(err.strip().splitlines()) == 1


def test_set_overrides(tmp_path, capsys, lesson_doc):
    study = write_toml(tmp_path / "s.toml", lesson_doc)
    out = tmp_path / "o"
    code, _, err = run_cli(["run", str(study), "--out", str(out), "--quiet", "--set",
                            "strategies.self_hosted_7b.gpu_hourly=1.03", "--samples", "10",
                            "--seed", "5"], capsys)
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["samples"] == 10 and summary["seed"] == 5
    assert summary["self_hosted_7b"]["point_estimate"]["monthly_serving_cost"] == 1483.2
    code, _, err = run_cli(["run", str(study), "--set", "strategies.nope.x=1"], capsys)
    assert code == 2 and "--set strategies.nope.x: the study has no table" in err


def test_console_script_from_a_subprocess(tmp_path):
    """The installed entry point, with no stdin, as CI runs it."""
    out = tmp_path / "o"
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", str(STUDIES / "lesson_parity.toml"),
         "--out", str(out), "--quiet"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "self_hosted_7b pays back within 12 months" in proc.stdout


def test_non_whole_discrete_values_on_a_count(tmp_path, capsys, lesson_doc):
    lesson_doc["strategies"]["self_hosted_7b"]["training_runs"] = {
        "discrete": {"values": [4, 8.5], "weights": [1, 1]}}
    study = write_toml(tmp_path / "bad.toml", lesson_doc)
    code, _, err = run_cli(["run", str(study), "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    assert "strategies.self_hosted_7b.training_runs: discrete" in err
    assert "not whole numbers" in err


# --- every option's help names its default (issue 10) ----------------------------------------

#: Actions that take no value: their help says what the flag does, there is no default to name.
FLAG_ACTIONS = (argparse._HelpAction, argparse._VersionAction, argparse._StoreTrueAction,
                argparse._StoreFalseAction, argparse._StoreConstAction)


def subcommand_parsers():
    """``{command: its argparse parser}`` of every ``ftrisk`` subcommand."""
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def options_without_default(command, parser):
    """``command --option`` for each valued option whose help neither states a default nor
    says it is required (argparse marks a required option itself)."""
    return [f"{command} {a.option_strings[-1]}" for a in parser._actions
            if a.option_strings and not isinstance(a, FLAG_ACTIONS) and not a.required
            and "default" not in (a.help or "")]


def test_every_option_help_states_its_default():
    parsers = subcommand_parsers()
    assert len(parsers) >= 17  # every command module is discovered
    checked = sum(1 for p in parsers.values() for a in p._actions
                  if a.option_strings and not isinstance(a, FLAG_ACTIONS))
    assert checked > 100
    missing = [o for name, p in parsers.items() for o in options_without_default(name, p)]
    assert missing == [], "options whose help names no default: " + ", ".join(missing)
    for name, p in parsers.items():  # every help renders (a stray % would raise here)
        assert "--help" in p.format_help(), name


def test_the_default_check_names_the_command_and_option():
    p = argparse.ArgumentParser()
    p.add_argument("--samples", type=int, help="samples")
    p.add_argument("--seed", type=int, help="seed (default: 0)")
    p.add_argument("--study", required=True, help="the study")
    p.add_argument("--quiet", action="store_true", help="print less")
    assert options_without_default("run", p) == ["run --samples"]


#: (command, option, a word of its unit the help must show), checked by hand.
UNITS = [
    ("cost", "--input-tokens", "tokens"),
    ("cost", "--output-tokens", "tokens"),
    ("cost", "--requests-per-day", "requests per day"),
    ("cost", "--gpu-hourly", "$ per GPU-hour"),
    ("cost", "--throughput", "tokens per second"),
    ("cost", "--utilization", "fraction"),
    ("train-cost", "--model-size", "billions of parameters"),
    ("train-cost", "--seq-len", "tokens per example"),
    ("train-cost", "--epochs", "epochs"),
    ("screen", "--daily-requests", "requests per day"),
    ("screen", "--latency-ms", "milliseconds"),
    ("screen", "--api-cost-per-1m", "$ per 1M tokens"),
    ("serve", "--requests-per-day", "requests/day"),
    ("pilot", "--cost", "$"),
    ("sweep", "--months", "months"),
    ("run", "--samples", "samples"),
    ("run", "--chunk-size", "samples per chunk"),
    ("stress", "--tail", "fraction"),
    ("check", "--actuals", "($)"),
]


@pytest.mark.parametrize(("command", "option", "unit"), UNITS)
def test_option_help_names_its_unit(command, option, unit):
    parser = subcommand_parsers()[command]
    action = next(a for a in parser._actions if option in a.option_strings)
    assert unit in action.help


def test_the_study_trio_reads_the_same_in_every_study_command():
    helps = {name: tuple(next(a.help for a in p._actions if flag in a.option_strings)
                         for flag in ("--samples", "--seed", "--sampling"))
             for name, p in subcommand_parsers().items()
             if name in ("run", "tornado", "stress", "sweep", "goal-seek", "pilot", "check")}
    assert len(helps) == 7
    assert len(set(helps.values())) == 1
    assert "the study's [study] samples" in helps["run"][0]


def test_version_is_the_installed_one_and_read_only_when_asked(capsys):
    import importlib.metadata

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"ftrisk {importlib.metadata.version('ftrisk')}\n"
    code = ("import sys, sim.cli; sim.cli._parser(); "
            "print('importlib.metadata' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, stdin=subprocess.DEVNULL)
    assert out.stdout.strip() == "False", out.stderr
