"""Portfolios: members on common futures, shared inputs drawn once, the optimizer, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from sim.cli import main
from sim.portfolio import (
    Limits,
    MemberFlows,
    Scorer,
    load_portfolio,
    member_flows,
    payback_months_of,
    run_portfolio,
    search,
)
from sim.portfolio.flows import ChoiceFlows, member_values, shifted_npv
from sim.portfolio.optimize import count_schedules
from sim.runner import run
from sim.runner.paths import forecast_paths
from sim.study import load_study

STUDIES = Path(__file__).resolve().parent.parent / "studies"
N = 2048


def _portfolio(tmp_path: Path, body: str, *, studies: tuple[str, ...] = ()) -> Path:
    for s in studies:
        shutil.copy(STUDIES / s, tmp_path / s)
    path = tmp_path / "p.toml"
    path.write_text(body, encoding="utf-8")
    return path


def _npv(study_file: Path, strategy: str, **changes) -> tuple[np.ndarray, np.ndarray]:
    result = run(load_study(study_file).replace(samples=N, **changes))
    frame = result.samples([f"npv.{strategy}", f"payback_month.{strategy}"])
    return frame[f"npv.{strategy}"].to_numpy(), frame[f"payback_month.{strategy}"].fill_null(
        0).to_numpy()


def test_a_portfolio_of_one_study_is_the_study(tmp_path):
    path = _portfolio(tmp_path, f"""
[portfolio]
samples = {N}
[[members]]
study = "legal_contracts.toml"
""", studies=("legal_contracts.toml",))
    p = load_portfolio(path)
    (flows,) = member_flows(p)
    for strategy in ("hosted_ft", "prompted_mini"):
        npv, payback = _npv(tmp_path / "legal_contracts.toml", strategy)
        c = flows.choices[strategy]
        assert np.array_equal(c.npv[0], npv)  # to the last bit
        assert np.array_equal(payback_months_of(c.cum), payback)


def test_a_shared_input_with_the_members_own_value_and_seed_draws_the_same(tmp_path):
    """Same seed + same name + same distribution = the same draws (mc streams by name)."""
    path = _portfolio(tmp_path, f"""
[portfolio]
samples = {N}
seed = 23
[[members]]
study = "icd10_coding.toml"
[shared]
"workload.requests_per_day" = {{ lognormal = {{ median = 10000, p90 = 15000 }} }}
""", studies=("icd10_coding.toml",))
    study_doc = (tmp_path / "icd10_coding.toml").read_text()
    assert "seed = 23" in study_doc
    p = load_portfolio(path)
    (flows,) = member_flows(p)
    own = load_study(tmp_path / "icd10_coding.toml", overrides=[
        "workload.requests_per_day={ lognormal = { median = 10000, p90 = 15000 } }"])
    result = run(own.replace(samples=N))
    frame = result.samples(["workload.requests_per_day", "npv.hosted_ft"])
    assert np.array_equal(flows.shared["workload.requests_per_day"],
                          frame["workload.requests_per_day"].to_numpy())
    assert np.array_equal(flows.choices["hosted_ft"].npv[0], frame["npv.hosted_ft"].to_numpy())


TWO = f"""
[portfolio]
samples = {N}
seed = 5
[[members]]
study = "legal_contracts.toml"
strategies = ["hosted_ft"]
[[members]]
study = "icd10_coding.toml"
[shared]
"frontier.price_cuts_per_year" = {{ uniform = [0.5, 1.5] }}
"*.hourly_rate" = {{ lognormal = {{ median = 150, p90 = 200 }} }}
"""


def test_shared_inputs_are_one_array_for_every_member(tmp_path):
    p = load_portfolio(_portfolio(tmp_path, TWO, studies=("legal_contracts.toml",
                                                          "icd10_coding.toml")))
    a, b = p.members
    assert a.shared == {"strategies.frontier.price_cuts_per_year":
                        "strategies.frontier.price_cuts_per_year",
                        "strategies.hosted_ft.hourly_rate": "*.hourly_rate",
                        "strategies.prompted_mini.hourly_rate": "*.hourly_rate"}
    va, vb = member_values(p, a, 0, N), member_values(p, b, 0, N)
    for key in ("strategies.frontier.price_cuts_per_year", "strategies.hosted_ft.hourly_rate"):
        assert np.array_equal(va[key], vb[key])
    assert np.array_equal(va["strategies.prompted_mini.hourly_rate"],
                          vb["strategies.hosted_ft.hourly_rate"])
    # a real draw: spread, median near 150 (lognormal median 150, within a few se)
    rate = np.asarray(va["strategies.hosted_ft.hourly_rate"])
    assert rate.std() > 10 and abs(np.median(rate) - 150) < 4
    # the members' own inputs stay their own: different seeds, different volumes
    assert not np.array_equal(va["workload.requests_per_day"], vb["workload.requests_per_day"])
    flows = member_flows(p)
    assert np.array_equal(flows[0].shared["*.hourly_rate"], flows[1].shared["*.hourly_rate"])


def test_portfolio_figures_against_the_members_runs(tmp_path):
    """Fixed shared values: each member's own run with them set gives the same NPVs, and
    the sum of the members' samples is the portfolio's NPV and payback."""
    body = TWO.replace('{ uniform = [0.5, 1.5] }', "1.0").replace(
        "{ lognormal = { median = 150, p90 = 200 } }", "180")
    p = load_portfolio(_portfolio(tmp_path, body, studies=("legal_contracts.toml",
                                                           "icd10_coding.toml")))
    flows = member_flows(p)
    scorer = Scorer(flows, objective="npv", months=12, horizon=36)
    picks = [(0, "hosted_ft"), (1, "hosted_ft")]
    sets = ["strategies.frontier.price_cuts_per_year=1.0", "strategies.hosted_ft.hourly_rate=180"]
    total = np.zeros(N)
    net = np.zeros((36, N))
    for f in ("legal_contracts.toml", "icd10_coding.toml"):
        study = load_study(tmp_path / f, overrides=[*sets, f"study.samples={N}"]
                           + (["strategies.prompted_mini.hourly_rate=180"]
                              if f.startswith("legal") else []))
        npv = run(study).samples(["npv.hosted_ft"])["npv.hosted_ft"].to_numpy()
        total += npv
        _, paths = forecast_paths(study)
        net += paths.net_saving("hosted_ft", "frontier")
    assert np.allclose(scorer.npv(picks, (0, 0)), total, rtol=1e-12, atol=1e-6)
    # payback by hand: one past the last month the summed cumulative ends below 0
    cum = np.cumsum(net, axis=0)
    expect = np.zeros(N, dtype=np.int64)
    for i in range(N):
        if cum[-1, i] > 0:
            below = np.flatnonzero(cum[:, i] < 0)
            expect[i] = below[-1] + 2 if below.size else 1
    assert np.array_equal(payback_months_of(scorer.paths(picks, (0, 0))), expect)


def _hand_flows() -> list[MemberFlows]:
    """Two members, one sample, H = 6, no discounting (worked in the test below)."""
    a = np.array([[-10.0], [5], [5], [5], [5], [5]])
    b = np.array([[-1.0], [2], [2], [2], [2], [2]])
    return [MemberFlows("a", {"x": ChoiceFlows(a, shifted_npv(a, 0.0), 100.0, 60.0, 0.2, 1)},
                        {}),
            MemberFlows("b", {"y": ChoiceFlows(b, shifted_npv(b, 0.0), 50.0, 60.0, 0.2, 1)},
                        {})]


def test_the_optimizer_against_hand_worked_plans():
    """100 hours a quarter: a and b (60 hours each, one build month) cannot both start in
    quarter 1, so the second starts in month 4 and loses its last 3 months.
    a alone 15; b alone 9; a then b@4: 15 + (-1 + 2 + 2) = 18; b then a@4: 9 + (-10 + 5 + 5)
    = 9. Parallel (both month 1): 24; sequential (b in month 2): 15 + 7 = 22."""
    flows = _hand_flows()
    limits = Limits(engineering_hours_per_quarter=100)
    assert count_schedules(flows, limits) == 5
    scorer = Scorer(flows, objective="npv", months=3, horizon=6)
    brute = {((0, "x"),): 15.0, ((1, "y"),): 9.0, ((0, "x"), (1, "y")): 18.0,
             ((1, "y"), (0, "x")): 9.0, (): 0.0}
    for order, value in brute.items():
        from sim.portfolio.schedule import Project, schedule
        starts = schedule([Project(60, 60, 0.2, 1)] * len(order), limits, 6)
        assert scorer.score(order, starts).value == value
    for most in (100, 1):  # exhaustive, then the greedy heuristic
        found = search(scorer, limits, max_exhaustive=most)
        assert found.method == ("exhaustive" if most == 100 else "greedy")
        assert found.picks == ((0, "x"), (1, "y")) and found.starts == (0, 3)
        assert found.score.value == 18.0
    # portfolio payback: cum a = -10,-5,0,5,10,15; b from month 4: 0,0,0,-1,1,3;
    # sum -10,-5,0,4,11,18: the last month below 0 is 2, payback month 3
    assert payback_months_of(scorer.paths(((0, "x"), (1, "y")), (0, 3))).tolist() == [3]
    # the budget: 120 dollars fits one project only, the better one
    found = search(scorer, Limits(upfront_budget=120), max_exhaustive=100)
    assert found.picks == ((0, "x"),) and found.score.value == 15.0
    # parallel and sequential of the best plan
    assert scorer.score((*found.picks, (1, "y")), (0, 0)).value == 24.0
    assert scorer.score(((0, "x"), (1, "y")), (0, 1)).value == 22.0


def test_payback_objective_and_cvar_on_hand_flows():
    flows = _hand_flows()
    scorer = Scorer(flows, objective="payback", months=2, horizon=6)
    # a alone pays back in month 4 (cum -10,-5,0,5: the last below 0 is month 2 -> 3);
    # b alone in month 2: P(pb <= 2) is 1 for b alone, 0 for a
    found = search(scorer, Limits(), max_exhaustive=100)
    assert found.picks == ((1, "y"),) and found.score.value == 1.0
    assert payback_months_of(flows[0].choices["x"].cum).tolist() == [3]


def test_run_portfolio_cli_writes_the_files_and_keeps_user_files(tmp_path, capsys):
    path = _portfolio(tmp_path, TWO.replace(f"samples = {N}", "samples = 512") + """
[constraints]
engineering_hours_per_quarter = 200
upfront_budget = 100000
""", studies=("legal_contracts.toml", "icd10_coding.toml"))
    out = tmp_path / "out"
    assert main(["portfolio", str(path), "--out", str(out), "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "report.html",
                                                     "samples.parquet", "summary.json"]
    summary = json.loads((out / "summary.json").read_text())
    samples = pl.read_parquet(out / "samples.parquet")
    assert abs(samples["npv"].mean() - summary["best"]["npv_mean"]) < 1e-6 * max(
        1.0, abs(summary["best"]["npv_mean"]))
    parts = samples.select(pl.sum_horizontal("npv.legal_contracts", "npv.icd10_coding"))
    assert np.allclose(parts.to_series().to_numpy(), samples["npv"].to_numpy())
    assert "Best plan" in capsys.readouterr().out
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    assert main(["portfolio", str(path), "--out", str(mine)]) == 2
    assert (mine / "notes.txt").read_text() == "keep"
    assert "holds files ftrisk did not write" in capsys.readouterr().err


@pytest.mark.parametrize(("edit", "match"), [
    (lambda s: s.replace('study = "icd10_coding.toml"', 'study = "nope.toml"'),
     r"p.toml: members\[1\].study: file not found: .*nope.toml; check the path"),
    (lambda s: s + '"*.no_such_key" = 3\n',
     r"p.toml: shared.\*.no_such_key: no member has this input"),
    (lambda s: s + "[constraints]\nupfront_budget = -5\n",
     r"p.toml: constraints.upfront_budget: -5 must be a number >= 0"),
    (lambda s: s + '"workload.input_tokens" = { lognormal = { p10 = 900, p90 = 100 } }\n',
     r"p.toml: shared.workload.input_tokens: .*p10"),
    (lambda s: s.replace("seed = 5", "seed = 5\nobjective = \"max\""),
     r"p.toml: portfolio.objective: 'max' must be one of npv, payback, cvar"),
    (lambda s: s.replace('strategies = ["hosted_ft"]', 'strategies = ["gpt5"]'),
     r"members\[0\].strategies: 'gpt5' is not a strategy"),
])
def test_bad_portfolio_input_is_exit_2_with_one_line(tmp_path, capsys, edit, match):
    path = _portfolio(tmp_path, edit(TWO), studies=("legal_contracts.toml",
                                                     "icd10_coding.toml"))
    code = main(["portfolio", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and pytest.importorskip("re").search(match, err), err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_bundled_portfolio_loads():
    p = load_portfolio(STUDIES / "portfolio.toml")
    assert [m.name for m in p.members] == ["tickets", "contracts", "code_completion", "voice",
                                           "icd10"]
    assert p.horizon_months == 36 and p.members[2].study.horizon_months == 36
    # voice's hosted and prompted small models break its 300 ms p99: not choices
    assert p.members[3].choices == ("mistral_7b",)


@pytest.mark.slow
def test_run_the_bundled_portfolio():
    result = run_portfolio(load_portfolio(STUDIES / "portfolio.toml").replace(samples=4096))
    table = result.table()
    assert table.height == 5
    assert abs(table["npv_contribution"].sum() - result.best.npv_mean) < 1e-6 * abs(
        result.best.npv_mean)
    assert result.timings["parallel"][1].npv_mean >= result.timings["scheduled"][1].npv_mean
