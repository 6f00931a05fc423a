"""The ``ftrisk app`` page, driven headless with Streamlit's ``AppTest``: every bundled study
loads; a moved slider, a constraint turned on and a strategy switched off give exactly the
figures ``sim.run`` gives on the same edited study (same seed); the saved TOML reproduces
them; an impossible slider combination shows the loader's message in a banner.

Small sample counts (the page's count is preset in its session state) keep these fast.
"""

from __future__ import annotations

import html
import tomllib
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest

import sim.commands.app as command
from sim.app.draft import Draft, domain_of, quantiles_value
from sim.app.page import BASELINE, SAMPLES_KEY, TOML_KEY, UPLOAD, input_key
from sim.costs.calculator import api_costs
from sim.display import money, prob, probability
from sim.runner import Summary, run
from sim.runner.constraints import exclusions
from sim.study import load_study
from sim.study.cards import CARDS, CARDS_BY_KEY
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
    """The page's verdict and table are the run's figures, as ``ftrisk run`` writes them."""
    _ok(at)
    assert _verdict(at) == summary.verdict
    table = at.table[0].value.map(lambda c: c.replace(r"\$", "$").removeprefix("\\"))
    strategies = list(summary.strategies.values())
    assert list(table.columns) == [s.label for s in strategies]
    study = summary.study
    for s in strategies:
        col = table[s.label]
        for n in study.payback_within:
            p = s.p_payback_within(n)
            assert col[f"P(payback ≤ {n} mo)"] == (
                BASELINE if s.is_baseline else probability(p, s.se(p)))
        assert col["E[NPV] ± se"] == f"{money(s.npv_mean)} ± {s.npv_mean_se:,.0f}"
        assert col["NPV P10"] == money(s.npv_quantiles[0.1])
        assert col["NPV P90"] == money(s.npv_quantiles[0.9])
        assert col["P(best)"] == ("excluded" if s.p_best is None else prob(s.p_best))
        assert col["constraints"] == ("excluded" if s.infeasible_reason else "met")
        if s.infeasible_reason:
            assert any(s.infeasible_reason.replace("$", r"\$") in m.value for m in at.markdown)
    assert (table.loc[[f"P(payback ≤ {n} mo)" for n in study.payback_within],
                      summary.strategies[study.baseline].label] == BASELINE).all()


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


#: The cards issue 16 added, each with a strategy of enterprise.toml it acts on and how.
NEW_CARDS = {"ml_sre_capacity": ("self_hosted_13b", "excluded"),
             "vendor_no_train_terms": ("hosted_ft", "excluded"),
             "eval_harness": ("hosted_ft", "added"),
             "data_provenance_documented": ("self_hosted_13b", "added")}


def test_every_card_of_the_schema_is_a_toggle_naming_what_it_does(monkeypatch):
    at = _app(monkeypatch, "enterprise")
    _ok(at)
    assert [t.label for t in at.toggle if "|constraint|" in t.key] == [c.title for c in CARDS]
    study = load_study(STUDIES / "enterprise.toml")
    captions = " ".join(c.value for c in at.caption)
    assert all(card.question.replace("$", r"\$") in captions for card in CARDS)
    text = " ".join(m.value for m in at.markdown)
    sre = "serves on GPUs of its own (self_hosted)"
    assert f"**{study.strategies['self_hosted_13b'].label}**: {sre}" in text
    assert "building an eval harness: 8-16 h (uniform, median 12) added to its project" in text
    assert "nothing added: its engineering_phases.evaluation_framework already has the work" \
        in text  # self_hosted_13b states that phase itself


def test_each_new_card_matches_sim_run_and_round_trips(monkeypatch, tmp_path):
    name = "enterprise"
    path = STUDIES / f"{name}.toml"
    at = _app(monkeypatch, name)
    draft = Draft(path.read_text(encoding="utf-8"), str(path))
    for key, (strategy, effect) in NEW_CARDS.items():
        card = CARDS_BY_KEY[key]
        at.toggle(key=f"{name}|constraint|{key}").set_value(True).run()
        draft = draft.with_constraint(key, not card.default)
        expected = _expected(name, draft)
        _check(at, expected)
        study = expected.study
        if effect == "excluded":
            assert dict(exclusions(study, strategy))[key]
        else:
            assert any(a.card == key and a.strategy == strategy and a.input
                       for a in study.card_additions)
    saved = tmp_path / "saved.toml"
    saved.write_text(at.session_state[TOML_KEY], encoding="utf-8")
    _check(at, run(load_study(saved)).summary)
    doc = tomllib.loads(saved.read_text(encoding="utf-8"))
    assert doc["constraints"] == {k: not CARDS_BY_KEY[k].default for k in NEW_CARDS}
    # and off again: the study as it was
    for key in NEW_CARDS:
        at.toggle(key=f"{name}|constraint|{key}").set_value(False)
    at.run()
    _check(at, _expected(name))
    assert "constraints" not in tomllib.loads(at.session_state[TOML_KEY])


def test_full_analysis_offers_the_report_with_the_pages_verdict(monkeypatch):
    at = _app(monkeypatch, "small_team", samples=400)
    assert not [b for b in at.get("download_button") if b.label == "Download report.html"]
    at.button(key="report").click().run()
    _ok(at)
    assert [b.label for b in at.get("download_button")] == [
        "Save as study (.toml)", "Download report.html"]
    report = at.session_state["ftrisk.report"].decode("utf-8")
    assert report.startswith("<!DOCTYPE html>")
    assert html.escape(_verdict(at), quote=False) in report


HOURS = "hours\n12\n15.5\n20\n31\n18\n"


def _with_data_file(file: str) -> str:
    text = (STUDIES / "small_team.toml").read_text(encoding="utf-8")
    old = "engineering_hours = { lognormal = { median = 16.8, p90 = 30 } }"
    assert old in text
    return text.replace(old, f'engineering_hours = {{ empirical = {{ file = "{file}", '
                        'column = "hours" } }')


def _upload(monkeypatch: pytest.MonkeyPatch, text: str, data: list[tuple[str, bytes, str]]
            ) -> AppTest:
    monkeypatch.delenv(command.STUDY_ENV, raising=False)
    at = AppTest.from_file(str(PAGE), default_timeout=300)
    at.session_state[f"{SAMPLES_KEY}|upload:mine.toml"] = SAMPLES
    at.run()
    at.selectbox(key="study").set_value(UPLOAD).run()
    at.file_uploader(key="upload").set_value(("mine.toml", text.encode(), "application/toml"))
    if data:
        at.file_uploader(key="upload_data").set_value(data)
    return at.run()


def test_uploaded_study_reading_a_data_file_asks_for_it_then_reads_it(monkeypatch, tmp_path):
    text = _with_data_file("data/hours.csv")
    at = _upload(monkeypatch, text, [])
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith("mine.toml: strategies.hosted_ft.engineering_hours reads the "
                              "data file 'data/hours.csv' by a relative path")
    assert "upload 'hours.csv' alongside the study" in message
    assert "write the observations into the study" in message

    at = _upload(monkeypatch, text, [("hours.csv", HOURS.encode(), "text/csv")])
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "hours.csv").write_text(HOURS, encoding="utf-8")
    (tmp_path / "mine.toml").write_text(text, encoding="utf-8")
    expected = run(load_study(tmp_path / "mine.toml").replace(samples=SAMPLES)).summary
    _check(at, expected)
    assert expected.study.input("hosted_ft.engineering_hours").dist.family == "empirical"

    # a path outside the study's folder is refused even when the file is uploaded
    at = _upload(monkeypatch, _with_data_file("../hours.csv"),
                 [("hours.csv", HOURS.encode(), "text/csv")])
    assert len(at.error) == 1 and "outside the study's folder" in at.error[0].value


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
