"""Fitted values in study files: ``annual_price_drop = { fitted = "openai:frontier" }`` and
the step-cut keys draw from fits to the price history, and say where they came from.

The expected quantiles are worked out here from the shipped rows with scipy (the slope's t,
the Jeffreys gamma of a Poisson rate, a beta by the method of moments), independently of
the fit and distribution code; draws are checked within their Monte Carlo error.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from collections import defaultdict
from datetime import date

import numpy as np
import pytest
from scipy import stats

from sim import run, study_from_dict
from sim.cli import main
from sim.study.price_fits import fit_decline

from helpers import ROOT, write_toml

ROWS = list(csv.DictReader((ROOT / "sim" / "data" / "price_history.csv").open()))
N = 40_000
LEVELS = np.array([0.1, 0.5, 0.9])


def _tier_series(tier: str, field: str) -> tuple[list[date], list[float]]:
    """The tier's cheapest price at each event date, from the raw rows."""
    by_model: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for r in ROWS:
        if r["tier"] == tier and r["field"] == field and r["kind"] in ("launch", "change"):
            by_model[r["model"]].append((date.fromisoformat(r["date"]), float(r["price"])))
    days = sorted({d for rows in by_model.values() for d, _ in rows})
    prices = [min(sorted(x for x in rows if x[0] <= day)[-1][1]
                  for rows in by_model.values() if any(x[0] <= day for x in rows))
              for day in days]
    return days, prices


def _decline_quantiles(tier: str, field: str) -> np.ndarray:
    """p10/p50/p90 of the decline: slope quantiles from scipy's t given slope <= 0."""
    days, prices = _tier_series(tier, field)
    years = np.array([(d - days[0]).days / 365.25 for d in days])
    ref = stats.linregress(years, np.log(prices))
    df = len(days) - 2
    p0 = stats.t.cdf(-ref.slope / ref.stderr, df)
    b = stats.t.ppf((1 - LEVELS) * p0, df, loc=ref.slope, scale=ref.stderr)
    return -np.expm1(b)


def _cuts(tier: str, field: str) -> tuple[int, float, list[float]]:
    days, prices = _tier_series(tier, field)
    sizes = [1 - b / a for a, b in itertools.pairwise(prices) if b < a]
    return len(sizes), (days[-1] - days[0]).days / 365.25, sizes


def _below(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    return np.mean(x[:, None] < q[None, :], axis=0)


def _within_mc_error(x: np.ndarray, q: np.ndarray) -> None:
    se = np.sqrt(LEVELS * (1 - LEVELS) / x.size)
    assert np.all(np.abs(_below(x, q) - LEVELS) < 4 * se), (_below(x, q), q)


@pytest.fixture
def fitted_doc(lesson_doc):
    doc = lesson_doc
    doc["study"]["samples"] = N
    f = doc["strategies"]["frontier"]
    f["annual_price_drop"] = {"fitted": "openai:frontier"}
    doc["strategies"]["mini"] = {
        "kind": "api", "input_price": 0.15, "output_price": 0.6,
        "price_cuts_per_year": {"fitted": "openai:frontier"},
        "price_cut_size": {"fitted": "openai:frontier"}}
    doc["strategies"]["out"] = {
        "kind": "api", "input_price": 1.0, "output_price": 4.0,
        "annual_price_drop": {"fitted": "openai:frontier", "field": "output",
                              "window": ["2024-01-01", "2025-12-31"]}}
    return doc


def test_fitted_draws_match_the_fits_stated_quantiles(fitted_doc):
    study = study_from_dict(fitted_doc)
    result = run(study)
    x = result.samples(["strategies.frontier.annual_price_drop",
                        "strategies.mini.price_cuts_per_year",
                        "strategies.mini.price_cut_size"])
    # the decline: the fit's stated quantiles, and the independent scipy reference
    q = _decline_quantiles("openai:frontier", "input")
    fit = fit_decline("openai:frontier")
    np.testing.assert_allclose(fit.quantiles, q, rtol=1e-10)
    _within_mc_error(x["strategies.frontier.annual_price_drop"].to_numpy(), q)
    # the cut rate: Jeffreys posterior of a Poisson count, Gamma(k + 1/2, scale 1/T)
    k, years, sizes = _cuts("openai:frontier", "input")
    assert k == 5 and years == pytest.approx((date(2025, 8, 7) - date(2023, 3, 14)).days
                                             / 365.25)
    rate_q = stats.gamma.ppf(LEVELS, k + 0.5, scale=1 / years)
    _within_mc_error(x["strategies.mini.price_cuts_per_year"].to_numpy(), rate_q)
    # the cut size: a beta with the sizes' mean and sample sd, by the method of moments
    m, v = float(np.mean(sizes)), float(np.var(sizes, ddof=1))
    common = m * (1 - m) / v - 1
    size_q = stats.beta.ppf(LEVELS, m * common, (1 - m) * common)
    _within_mc_error(x["strategies.mini.price_cut_size"].to_numpy(), size_q)
    # and each input states them in its source
    for path, ref in (("frontier.annual_price_drop", q), ("mini.price_cuts_per_year", rate_q),
                      ("mini.price_cut_size", size_q)):
        src = study.input(path).fit
        assert src is not None
        np.testing.assert_allclose(src.quantiles, ref, rtol=1e-6)


def test_field_and_window_options(fitted_doc):
    study = study_from_dict(fitted_doc)
    src = study.input("out.annual_price_drop").fit
    assert src is not None
    assert (src.field, src.window) == ("output", ("2024-01-01", "2025-12-31"))
    # the window's ends add the price in force that day: $30 (GPT-4 Turbo) on 2024-01-01,
    # $15 (GPT-4o), $10 (its August snapshot), $8 (GPT-4.1), $10 (GPT-5 keeps $10) ...
    ref = fit_decline("openai:frontier", field="output", window=("2024-01-01", "2025-12-31"))
    assert src.quantiles == pytest.approx(ref.quantiles)
    assert src.n == ref.n and src.window == (str(ref.window[0]), str(ref.window[1]))


def test_the_source_goes_into_the_note_manifest_and_report(fitted_doc, tmp_path):
    fitted_doc["study"]["samples"] = 256
    study = study_from_dict(fitted_doc)
    note = study.input("frontier.annual_price_drop").note
    assert note.startswith("fitted: openai:frontier input price, 2023-03-14 to 2025-08-07, "
                           "7 points: annual decline 71.4%")
    assert "price history as of 2026-11-30" in note
    path = write_toml(tmp_path / "s.toml", fitted_doc)
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    fitted = {f["input"]: f for f in manifest["fitted_inputs"]}
    assert set(fitted) == {"strategies.frontier.annual_price_drop",
                           "strategies.mini.price_cuts_per_year",
                           "strategies.mini.price_cut_size",
                           "strategies.out.annual_price_drop"}
    f = fitted["strategies.frontier.annual_price_drop"]
    assert (f["fitted"], f["field"], f["window"], f["n"]) == (
        "openai:frontier", "input", ["2023-03-14", "2025-08-07"], 7)
    assert f["price_history_as_of"] == "2026-11-30" and len(f["price_history_sha256"]) == 64
    assert f["sources"][0].startswith("OpenAI, 'GPT-4' launch")
    assert f["p50"] == pytest.approx(_decline_quantiles("openai:frontier", "input")[1])
    page = (tmp_path / "o" / "report.html").read_text()
    assert "strategies.frontier.annual_price_drop: fitted: openai:frontier input price" in page


@pytest.mark.parametrize(("key", "value", "message"), [
    ("annual_price_drop", {"fitted": "openai:fronteir"},
     "'openai:fronteir' is not a tier of the price history; did you mean: openai:frontier"),
    ("annual_price_drop", {"fitted": "zzz"},
     "valid: anthropic:frontier, anthropic:mid"),
    ("annual_price_drop", {"fitted": "openai:frontier", "field": "inptu"},
     "field = 'inptu' is not a price field; did you mean 'input'?"),
    ("annual_price_drop", {"fitted": "openai:frontier", "windw": ["2024-01-01", "2025-01-01"]},
     "unknown option 'windw' of a fitted value"),
    ("annual_price_drop", {"fitted": "openai:frontier", "window": ["2025-01-01", "2024-01-01"]},
     "window start 2025-01-01 must be before its end 2024-01-01"),
    ("annual_price_drop", {"fitted": "anthropic:small"}, "lie exactly on a line"),
    ("annual_price_drop", {"fitted": "model:gpt-4o"}, "needs at least 3"),
    ("review_rate", {"fitted": "openai:frontier"},
     "a fitted value applies to annual_price_drop, price_cuts_per_year, price_cut_size only"),
    ("price_cut_size", {"fitted": "model:gpt-4o"}, "step cuts are fitted per tier"),
])
def test_errors_name_the_file_the_key_and_the_fix(lesson_doc, tmp_path, capsys, key, value,
                                                   message):
    lesson_doc["strategies"]["frontier"][key] = value
    if key == "price_cut_size":
        lesson_doc["strategies"]["frontier"]["price_cuts_per_year"] = 1.0
    path = write_toml(tmp_path / "s.toml", lesson_doc)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{path}: strategies.frontier.{key}: " in err
    assert message in err
    assert not (tmp_path / "o").exists()


def test_model_level_fit(lesson_doc):
    lesson_doc["strategies"]["frontier"]["annual_price_drop"] = {
        "fitted": "model:gpt-3.5-turbo"}
    src = study_from_dict(lesson_doc).input("frontier.annual_price_drop").fit
    assert src is not None and src.basis == "model" and src.n == 4
    # $2 -> $1.50 -> $1 -> $0.50 over 2023-03-01 .. 2024-01-25
    years = np.array([(d - date(2023, 3, 1)).days / 365.25 for d in
                      (date(2023, 3, 1), date(2023, 6, 13), date(2023, 11, 6),
                       date(2024, 1, 25))])
    ref = stats.linregress(years, np.log([2.0, 1.5, 1.0, 0.5]))
    assert src.statistic.startswith(f"annual decline {1 - math.exp(ref.slope):.1%}")


def test_every_documented_fitted_form_loads(lesson_doc):
    import tomllib

    from sim.study.fitted import FITTED_FORMS

    for _, _, example in FITTED_FORMS:
        [(key, value)] = tomllib.loads(example).items()
        doc = {**lesson_doc, "strategies": {**lesson_doc["strategies"]}}
        frontier = dict(doc["strategies"]["frontier"])
        frontier[key] = value
        if key == "price_cut_size":
            frontier["price_cuts_per_year"] = 1.0
        if key == "price_cuts_per_year":
            frontier["price_cut_size"] = 0.3
        doc["strategies"]["frontier"] = frontier
        assert study_from_dict(doc).input(f"frontier.{key}").fit is not None, example
