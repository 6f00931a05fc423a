"""The ``ftrisk app`` page, driven headless with Streamlit's ``AppTest``: every bundled study
loads; a moved slider, a constraint turned on and a strategy switched off give exactly the
figures ``sim.run`` gives on the same edited study (same seed); the saved TOML reproduces
them; an impossible slider combination shows the loader's message in a banner.

Small sample counts (the page's count is preset in its session state) keep these fast.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest

import sim.commands.app as command
from sim.app.draft import Draft, domain_of, quantiles_value
from sim.app.page import SAMPLES_KEY, TOML_KEY, input_key
from sim.costs.calculator import api_costs
from sim.runner import Summary, run
from sim.study import load_study
from sim.study.catalog import api_price

from helpers import ROOT, STUDIES, STUDY_FILES

PAGE = ROOT / "sim" / "app" / "page.py"
NAMES = sorted(p.stem for p in STUDY_FILES)
SAMPLES = 1000


def _app(monkeypatch: pytest.MonkeyPatch, name: str, samples: int = SAMPLES) -> AppTest:
    monkeypatch.setenv(command.STUDY_ENV, str(STUDIES / f"{name}.toml"))
    at = AppTest.from_file(str(PAGE), default_timeout=300)
    at.session_state[f"{SAMPLES_KEY}|{name}"] = samples
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _verdict(at: AppTest) -> str:
    heads = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert len(heads) == 1
    return heads[0].removeprefix("#### ").replace(r"\$", "$")


def _check(at: AppTest, summary: Summary) -> None:
    """The page's verdict and table are the run's figures, exactly."""
    _ok(at)
    assert _verdict(at) == summary.verdict
    frame = at.dataframe[0].value
    assert list(frame["strategy"]) == list(summary.strategies)
    for _, row in frame.iterrows():
        s = summary.strategies[row["strategy"]]
        assert row["E[NPV]"] == s.npv_mean
        assert row["± se"] == s.npv_mean_se
        assert row["NPV P10"] == s.npv_quantiles[0.1]
        assert row["NPV P90"] == s.npv_quantiles[0.9]
        for n in summary.study.payback_within:
            shown = row[f"P(pb≤{n})"]
            if s.is_baseline:
                assert shown is None or math.isnan(shown)
            else:
                assert shown == s.p_payback_within(n)
                assert row[f"± se {n}"] == s.se(s.p_payback_within(n))
        assert row["constraint"] == (s.infeasible_reason or "")


def _expected(name: str, draft: Draft | None = None, samples: int = SAMPLES) -> Summary:
    path = STUDIES / f"{name}.toml"
    d = draft or Draft(path.read_text(encoding="utf-8"), str(path))
    return run(d.with_samples(samples).study()).summary


#: Its first run builds serving capacity curves (tens of seconds on a shared machine).
SLOW = {"voice_intent"}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n
                                  for n in NAMES])
def test_every_bundled_study_loads_with_the_runs_figures(monkeypatch, name):
    at = _app(monkeypatch, name)
    expected = run(load_study(STUDIES / f"{name}.toml").replace(samples=SAMPLES)).summary
    _check(at, expected)
    study = load_study(STUDIES / f"{name}.toml")
    if study.source_figure:
        assert any(study.source_figure.replace("$", r"\$") in i.value for i in at.info)
    assert at.session_state[TOML_KEY] is not None


def test_slider_constraint_and_strategy_switch_match_sim_run(monkeypatch, tmp_path):
    name = "legal_contracts"
    path = STUDIES / f"{name}.toml"
    at = _app(monkeypatch, name)
    draft = Draft(path.read_text(encoding="utf-8"), str(path))
    study = draft.study()

    # move the median of the request volume up
    key = input_key(name, "workload.requests_per_day", "p50")
    p10, p90 = at.slider(key=input_key(name, "workload.requests_per_day", "spread")).value
    at.slider(key=key).set_value(6500.0).run()
    draft = draft.with_input("workload.requests_per_day", quantiles_value(
        p10, 6500.0, p90, domain_of(study, "workload.requests_per_day")))
    moved = _expected(name, draft)
    _check(at, moved)
    assert moved.strategies["hosted_ft"].npv_mean != _expected(name).strategies[
        "hosted_ft"].npv_mean

    # the portability card rules hosted fine-tuning out
    at.toggle(key=f"{name}|constraint|vendor_portability").set_value(True).run()
    draft = draft.with_constraint("vendor_portability", True)
    constrained = _expected(name, draft)
    assert constrained.strategies["hosted_ft"].infeasible_reason
    _check(at, constrained)

    # switch the prompted model off
    at.toggle(key=f"{name}|on|prompted_mini").set_value(False).run()
    draft = draft.with_off({"prompted_mini"})
    fewer = _expected(name, draft)
    assert "prompted_mini" not in fewer.strategies
    _check(at, fewer)

    # the saved study reproduces the page's figures through the loader
    saved = tmp_path / "saved.toml"
    saved.write_text(at.session_state[TOML_KEY], encoding="utf-8")
    again = run(load_study(saved)).summary
    _check(at, again)
    doc = tomllib.loads(saved.read_text(encoding="utf-8"))
    assert doc["study"]["samples"] == SAMPLES
    assert doc["constraints"] == {"vendor_portability": True}
    assert "prompted_mini" not in doc["strategies"]
    assert all("prompted_mini" not in " ".join(c["between"]) for c in doc.get("correlations", []))


def test_fixing_an_input_makes_it_known(monkeypatch):
    name = "legal_contracts"
    at = _app(monkeypatch, name)
    path = "strategies.hosted_ft.mlops_fte"
    median = at.slider(key=input_key(name, path, "p50")).value
    at.checkbox(key=input_key(name, path, "fixed")).check().run()
    draft = Draft((STUDIES / f"{name}.toml").read_text(encoding="utf-8"),
                  str(STUDIES / f"{name}.toml")).with_input(path, median)
    _check(at, _expected(name, draft))
    assert load_study_text(at.session_state[TOML_KEY]).input(path).dist.is_fixed


def load_study_text(text: str) -> Any:
    return Draft(text).study()


def test_impossible_sliders_show_the_loaders_message(monkeypatch):
    name = "small_team"
    at = _app(monkeypatch, name)
    path = "workload.requests_per_day"
    p50 = at.slider(key=input_key(name, path, "p50")).value
    hi = at.slider(key=input_key(name, path, "spread")).max
    at.slider(key=input_key(name, path, "spread")).set_value((p50 * 1.1, hi)).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "workload.requests_per_day" in at.error[0].value
    assert "p10 < p50 < p90" in at.error[0].value.replace(" ", " ")


def test_more_samples_doubles_the_count(monkeypatch):
    name = "small_team"
    at = _app(monkeypatch, name)
    at.button(key="more").click().run()
    _ok(at)
    assert at.session_state[f"{SAMPLES_KEY}|{name}"] == 2 * SAMPLES
    _check(at, _expected(name, samples=2 * SAMPLES))


def test_cost_calculator_matches_ftrisk_cost(monkeypatch):
    at = _app(monkeypatch, "legal_contracts")
    table = at.dataframe[-1].value
    models = at.multiselect(key="calc|models").value
    assert models and list(dict.fromkeys(table["model"])) == models
    rpd, tin, tout = (at.number_input(key=k).value for k in ("calc|rpd", "calc|in", "calc|out"))
    rows = api_costs(api_price(models[0]), rpd, tin, tout, cache_share=0.5)
    mine = table[table["model"] == models[0]]
    assert list(mine["per month"]) == [r.per_month for r in rows]
    assert list(mine["per call"]) == [r.per_call for r in rows]


def test_app_without_streamlit_exits_2_with_the_fix(monkeypatch, capsys):
    from sim.cli import main

    real = command.importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "streamlit" else real(name, *args)

    monkeypatch.setattr(command.importlib.util, "find_spec", find_spec)
    assert main(["app"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install -e '.[app]'" in err[0]


def test_app_refuses_a_bad_study_or_port(capsys, tmp_path):
    from sim.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text("[study]\nsamples = 0\n", encoding="utf-8")
    assert main(["app", str(bad)]) == 2
    assert main(["app", "--port", "70000"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and str(bad) in err[0] and "--port" in err[1]


def test_page_file_is_where_the_command_looks():
    assert Path(PAGE).resolve() == command.PAGE
