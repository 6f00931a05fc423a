"""The price-history dataset and the declines fitted to it.

The dataset is read here with the ``csv`` module, independently of the loader; the catalog
is read from its own files and from genai-prices directly. Fits are reproduced with
``scipy.stats.linregress`` / ``numpy.polyfit`` on a tier price worked out here from the rows,
and hand-worked series are written out as literals from the vendors' announcements.
"""

from __future__ import annotations

import csv
import math
import re
import tomllib
from collections import defaultdict
from datetime import UTC, date, datetime

import numpy as np
import polars as pl
import pytest
from scipy import stats

from sim.study import price_fits as pf
from sim.study import price_history as ph

from helpers import ROOT

DATA = ROOT / "sim" / "data"
ROWS = list(csv.DictReader((DATA / "price_history.csv").open(encoding="utf-8")))
FIT_KINDS = {"launch", "change"}


def _d(text: str) -> date:
    return date.fromisoformat(text)


# -- the dataset ------------------------------------------------------------------------------
def test_every_row_has_a_date_a_source_and_a_positive_price():
    assert len(ROWS) > 150
    for r in ROWS:
        assert _d(r["date"]) <= date.today(), r
        assert r["source"].strip(), r
        price = float(r["price"])
        assert math.isfinite(price) and price > 0, r


def test_every_source_names_its_date():
    # an announcement or a pricing page "as of": a year at least, most a full ISO date
    for r in ROWS:
        assert re.search(r"\b20\d\d\b", r["source"]) or r["kind"] == "seed", r


def test_fields_units_and_kinds_come_from_the_allowed_sets():
    units = {"input": "usd_per_1m_tokens", "training": "usd_per_1m_tokens",
             "gpu_hourly_on_demand": "usd_per_gpu_hour", "gpu_hourly_spot": "usd_per_gpu_hour"}
    for r in ROWS:
        assert r["field"] in ph.FIELDS, r
        assert r["unit"] == ph.UNITS[r["field"]], r
        assert r["unit"] == units.get(r["field"], "usd_per_1m_tokens"), r
        assert r["kind"] in ph.KINDS, r
        # seed rows sit outside every tier; every other row names vendor:level
        if r["kind"] == "seed":
            assert r["tier"] == "" and "@" in r["model"], r
        else:
            assert re.fullmatch(r"[a-z0-9]+:[a-z0-9_.-]+", r["tier"]), r
        assert r["catalog_ref"] == "" or r["catalog_ref"].split(":", 1)[0] in {
            "genai", "api_prices", "gpu_prices", "training_prices"}, r


def test_no_duplicate_vendor_model_field_date():
    keys = [(r["vendor"], r["model"], r["field"], r["date"]) for r in ROWS]
    dup = {k for k in keys if keys.count(k) > 1}
    assert not dup


def test_the_seeds_figures_are_rows():
    seeds = {(r["model"], r["field"]): float(r["price"]) for r in ROWS if r["kind"] == "seed"}
    assert seeds[("gpt-4o@2024", "input")] == 5.0
    assert seeds[("gpt-4o@2024", "output")] == 15.0
    assert seeds[("claude-3-haiku@2024", "output")] == 1.25
    assert seeds[("a10g@2024", "gpu_hourly_on_demand")] == 1.03
    assert seeds[("fine-tuning@page", "training")] == 8.0
    assert {r["source"].split(":")[0] for r in ROWS if r["kind"] == "seed"} == {
        "lesson (seed 001)", "calculator page (seed 000)"}


def test_the_loader_reads_every_row_with_types():
    df = ph.price_history()
    assert df.height == len(ROWS)
    assert df.schema["date"] == pl.Date and df.schema["price"] == pl.Float64
    assert df.filter(model="gpt-4o-2024-08-06", field="output")["price"].to_list() == [10.0]


# -- the current point agrees with the catalog ------------------------------------------------
def _genai_value(ref: str, field: str, when: datetime) -> float | None:
    """The catalog value of one field, or None where genai-prices publishes none to compare
    (a batch price without a batch tier)."""
    from genai_prices import data_snapshot
    from genai_prices.types import TieredPrices

    provider, model_id = ref.split("/", 1)
    prov = next(p for p in data_snapshot.get_snapshot().providers if p.id == provider)
    model = next(m for m in prov.models if m.id == model_id)
    std = model.get_prices(when)
    batch = model.get_prices(when, {"processing": "batch"})

    def num(v: object) -> float | None:
        if v is None:
            return None
        return float(v.base) if isinstance(v, TieredPrices) else float(v)  # type: ignore[arg-type]

    if field.startswith("batch_"):
        key = field.removeprefix("batch_") + "_mtok"
        b, s = num(getattr(batch, key)), num(getattr(std, key))
        return None if b == s else b
    key = {"input": "input_mtok", "ft_input": "input_mtok", "output": "output_mtok",
           "ft_output": "output_mtok", "cached_input": "cache_read_mtok"}[field]
    value = num(getattr(std, key))
    assert value is not None, (ref, field)
    return value


def _catalog_value(ref: str, field: str, when: datetime) -> float | None:
    kind, key = ref.split(":", 1)
    if kind == "genai":
        return _genai_value(key, field, when)
    if kind == "api_prices":
        entry = tomllib.loads((DATA / "api_prices.toml").read_text())[key]
        return float(entry[field])
    if kind == "training_prices":
        assert field == "training"
        return float(tomllib.loads((DATA / "training_prices.toml").read_text())[key][
            "price_per_1m"])
    assert kind == "gpu_prices"
    gpus = {r["gpu"]: r for r in csv.DictReader((DATA / "gpu_prices.csv").open())}
    column = {"gpu_hourly_on_demand": "on_demand_hourly", "gpu_hourly_spot": "spot_hourly"}
    return float(gpus[key][column[field]])


def test_the_latest_point_agrees_with_the_catalog():
    as_of = max(_d(r["date"]) for r in ROWS)
    when = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
    latest: dict[tuple[str, str, str], dict[str, str]] = {}
    for r in sorted(ROWS, key=lambda r: r["date"]):
        latest[(r["vendor"], r["model"], r["field"])] = r
    checked = 0
    for r in latest.values():
        if not r["catalog_ref"]:
            continue
        expected = _catalog_value(r["catalog_ref"], r["field"], when)
        if expected is None:
            continue
        assert float(r["price"]) == pytest.approx(expected, rel=1e-9), r
        checked += 1
    assert checked >= 150  # nearly every group names its catalog entry


def test_every_seed_row_and_every_current_frontier_model_names_its_catalog_entry():
    for r in ROWS:
        if r["kind"] == "seed" or r["model"] in {"gpt-5", "claude-opus-4-5", "gemini-2.5-pro"}:
            assert r["catalog_ref"], r


# -- tier prices, worked by hand --------------------------------------------------------------
def test_openai_frontier_input_price_by_hand():
    # GPT-4 $30 (2023-03-14), GPT-4 Turbo $10, GPT-4o $5, gpt-4o-2024-08-06 $2.50, GPT-4.5
    # launched above it (no change), GPT-4.1 $2, GPT-5 $1.25
    p = ph.tier_prices("openai:frontier", field="input")
    assert [str(d) for d in p["date"]] == ["2023-03-14", "2023-11-06", "2024-05-13",
                                           "2024-08-06", "2025-02-27", "2025-04-14",
                                           "2025-08-07"]
    assert p["price"].to_list() == [30.0, 10.0, 5.0, 2.5, 2.5, 2.0, 1.25]
    assert p["model"].to_list()[4] == "gpt-4o-2024-08-06"


def test_a_window_adds_the_price_in_force_at_its_ends():
    p = ph.tier_prices("openai:frontier", field="output", window=("2024-01-01", "2024-12-31"))
    assert [(str(d), x) for d, x in p.select("date", "price").rows()] == [
        ("2024-01-01", 30.0), ("2024-05-13", 15.0), ("2024-08-06", 10.0), ("2024-12-31", 10.0)]


def _tier_points(tier: str, field: str) -> tuple[np.ndarray, np.ndarray]:
    """Years since the first event and log of the cheapest price, from the raw rows."""
    by_model: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for r in ROWS:
        if r["tier"] == tier and r["field"] == field and r["kind"] in FIT_KINDS:
            by_model[r["model"]].append((_d(r["date"]), float(r["price"])))
    days = sorted({d for rows in by_model.values() for d, _ in rows})
    prices = []
    for day in days:
        in_force = []
        for rows in by_model.values():
            past = sorted(x for x in rows if x[0] <= day)
            if past:
                in_force.append(past[-1][1])
        prices.append(min(in_force))
    years = np.array([(d - days[0]).days / 365.25 for d in days])
    return years, np.log(prices)


@pytest.mark.parametrize(("tier", "field"), [
    ("openai:frontier", "input"), ("openai:frontier", "output"), ("openai:small", "input"),
    ("anthropic:frontier", "input"), ("anthropic:frontier", "output"),
    ("google:small", "input")])
def test_fits_are_reproduced_by_linregress_on_the_rows(tier, field):
    x, y = _tier_points(tier, field)
    ref = stats.linregress(x, y)
    fit = pf.fit_decline(tier, field=field)
    assert fit.n == x.size
    assert fit.slope == pytest.approx(ref.slope, rel=1e-12)
    assert fit.se == pytest.approx(ref.stderr, rel=1e-10)
    assert fit.intercept == pytest.approx(ref.intercept, rel=1e-10, abs=1e-12)
    assert fit.rate == pytest.approx(1 - math.exp(ref.slope), rel=1e-12)
    slope, _ = np.polyfit(x, y, 1)
    assert fit.slope == pytest.approx(slope, rel=1e-9)


def test_headline_fit_openai_frontier_input():
    fit = pf.fit_decline("openai:frontier", field="input")
    assert fit.window == (date(2023, 3, 14), date(2025, 8, 7))
    assert fit.last_date == date(2025, 8, 7) and fit.df == 5
    assert fit.rate == pytest.approx(0.714, abs=5e-4)
    assert fit.sources[0].startswith("OpenAI, 'GPT-4' launch")
    table = fit.table()
    assert table.height == 1 and table["annual_drop"][0] == pytest.approx(fit.rate)
    assert "openai:frontier input price, 2023-03-14 to 2025-08-07, n=7" in fit.label


def test_model_fit_uses_the_model_own_snapshots():
    # gpt-3.5-turbo: $2 (2023-03-01), $1.50 (2023-06-13), $1 (1106), $0.50 (0125)
    fit = pf.fit_model_decline("gpt-3.5-turbo", field="input")
    assert fit.points["price"].to_list() == [2.0, 1.5, 1.0, 0.5]
    years = np.array([(d - date(2023, 3, 1)).days / 365.25 for d in
                      (date(2023, 3, 1), date(2023, 6, 13), date(2023, 11, 6),
                       date(2024, 1, 25))])
    ref = stats.linregress(years, np.log([2.0, 1.5, 1.0, 0.5]))
    assert (fit.slope, fit.se) == (pytest.approx(ref.slope), pytest.approx(ref.stderr))
    assert fit.basis == "model"


# -- the distribution matches the stated quantiles --------------------------------------------
@pytest.mark.parametrize("tier", ["openai:frontier", "anthropic:frontier", "openai:small",
                                  "google:frontier"])
def test_distribution_quantiles_are_the_fits_stated_quantiles(tier):
    fit = pf.fit_decline(tier)
    # the stated quantiles, from scipy's t directly: slope quantiles given slope <= 0
    p0 = stats.t.cdf(-fit.slope / fit.se, fit.df)
    b = stats.t.ppf((1 - np.array([0.1, 0.5, 0.9])) * p0, fit.df, loc=fit.slope, scale=fit.se)
    np.testing.assert_allclose(fit.quantiles, 1 - np.exp(b), rtol=1e-12)
    d = fit.distribution()
    np.testing.assert_allclose(d.ppf([0.1, 0.5, 0.9]), fit.quantiles, atol=1e-9)
    assert d.support == (0.0, 1.0)
    lo, hi = d.draw_range
    assert lo >= 0.0 and hi <= 1.0


def test_draws_match_the_stated_quantiles_and_an_independent_simulation():
    fit = pf.fit_decline("anthropic:frontier")
    n = 200_000
    se = np.sqrt(np.array([0.09, 0.25, 0.09]) / n)
    draws = fit.distribution().sample(n, rng=np.random.default_rng(16))
    below = np.mean(draws[:, None] < np.array(fit.quantiles)[None, :], axis=0)
    assert np.all(np.abs(below - [0.1, 0.5, 0.9]) < 4 * se)
    # slopes from scipy's t, kept when <= 0 (rejection), pushed through 1 - exp
    slopes = stats.t.rvs(fit.df, loc=fit.slope, scale=fit.se, size=2 * n, random_state=3)
    ref = -np.expm1(slopes[slopes <= 0][:n])
    below_ref = np.mean(ref[:, None] < np.array(fit.quantiles)[None, :], axis=0)
    assert np.all(np.abs(below_ref - [0.1, 0.5, 0.9]) < 4 * se)


# -- synthetic data with a known decline ------------------------------------------------------
def _synthetic(prices: list[float], days: list[int], model: str = "m") -> pl.DataFrame:
    start = date(2020, 1, 1)
    n = len(prices)
    return pl.DataFrame({
        "date": [date.fromordinal(start.toordinal() + d) for d in days],
        "vendor": ["v"] * n, "model": [model] * n, "family": [model] * n,
        "tier": ["v:t"] * n, "field": ["input"] * n, "price": prices,
        "unit": ["usd_per_1m_tokens"] * n, "kind": ["launch"] + ["change"] * (n - 1),
        "source": ["synthetic"] * n, "note": [None] * n, "catalog_ref": [None] * n,
    }, schema=ph._SCHEMA)


def test_synthetic_decline_is_recovered_within_its_standard_error(monkeypatch):
    # log price falls at b = log(0.5) a year (a 50% annual decline) plus noise sd 0.15;
    # the 80% t-interval b_hat +- t(0.9, n-2) se must cover b in ~80% of 300 datasets
    b, sigma, reps = math.log(0.5), 0.15, 300
    rng = np.random.default_rng(1616)
    days = [int(d) for d in np.linspace(0, 4 * 365, 10)]
    years = np.array(days) / 365.25
    cover, slopes = 0, []
    for _ in range(reps):
        prices = (20.0 * np.exp(b * years + sigma * rng.standard_normal(years.size))).tolist()
        monkeypatch.setattr(ph, "_table", lambda p=prices: _synthetic(p, days))
        fit = pf.fit_decline("v:t")
        cover += abs(fit.slope - b) <= stats.t.ppf(0.9, fit.df) * fit.se
        slopes.append(fit.slope)
    share = cover / reps
    assert abs(share - 0.8) < 4 * math.sqrt(0.8 * 0.2 / reps)
    # unbiased: the mean slope within 4 standard errors of the mean of b
    assert abs(np.mean(slopes) - b) < 4 * np.std(slopes) / math.sqrt(reps)


def test_a_rising_trend_has_no_decline_distribution(monkeypatch):
    monkeypatch.setattr(ph, "_table", lambda: _synthetic([1.0, 1.3, 1.2, 1.6], [0, 200,
                                                                                 400, 600]))
    fit = pf.fit_decline("v:t")
    assert fit.slope > 0
    with pytest.raises(ValueError, match="the fitted trend is a rise"):
        fit.distribution()


def test_synthetic_step_cuts_recover_the_rate_and_size(monkeypatch):
    # a Poisson process of 3 cuts a year over 10 years, each a beta(2, 3) fraction (mean
    # 0.4): the exact 90% interval covers 3 in at least ~90% of datasets
    lam, years, reps = 3.0, 10.0, 200
    rng = np.random.default_rng(7)
    cover, sizes = 0, []
    for _ in range(reps):
        k = rng.poisson(lam * years)
        days = [0, *sorted(rng.choice(np.arange(1, 3652), size=k, replace=False).tolist()),
                3652]
        cut = rng.beta(2.0, 3.0, size=k)
        prices = np.concatenate([[100.0], 100.0 * np.cumprod(1 - cut), [0.0]])
        prices[-1] = prices[-2]  # the window's last day: no cut
        listed = prices.tolist()
        monkeypatch.setattr(ph, "_table", lambda p=listed, d=days: _synthetic(p, d))
        fit = pf.fit_step_cuts("v:t")
        assert fit.count == k
        lo, hi = fit.rate_interval
        cover += lo <= lam <= hi
        sizes.extend(fit.sizes)
    assert cover / reps >= 0.9 - 4 * math.sqrt(0.09 / reps)
    assert abs(np.mean(sizes) - 0.4) < 4 * np.std(sizes) / math.sqrt(len(sizes))


# -- step cuts on the shipped history ---------------------------------------------------------
def test_openai_frontier_step_cuts_by_hand():
    cuts = pf.fit_step_cuts("openai:frontier", field="input")
    np.testing.assert_allclose(cuts.sizes, [2 / 3, 0.5, 0.5, 0.2, 0.375])
    years = (date(2025, 8, 7) - date(2023, 3, 14)).days / 365.25
    assert cuts.years == pytest.approx(years)
    assert cuts.rate == pytest.approx(5 / years)
    # the exact Poisson interval through the gamma quantiles (Garwood)
    lo, hi = cuts.rate_interval
    assert lo == pytest.approx(stats.gamma.ppf(0.05, 5) / years)
    assert hi == pytest.approx(stats.gamma.ppf(0.95, 6) / years)
    assert cuts.size_mean == pytest.approx(np.mean([2 / 3, 0.5, 0.5, 0.2, 0.375]))
    size = cuts.size_distribution()
    assert size.mean == pytest.approx(cuts.size_mean) and size.sd == pytest.approx(cuts.size_sd)
    rate = cuts.rate_distribution()
    assert rate.mean == pytest.approx(5.5 / years)
    assert cuts.table()["cuts"][0] == 5


def test_model_basis_counts_cuts_of_a_model_own_price():
    cuts = pf.fit_step_cuts("openai", field="input", basis="model")
    assert cuts.events.select("model", "size").rows() == [("gpt-3.5-turbo-0301", 0.25),
                                                         ("o3", 0.8)]
    assert pf.fit_step_cuts("anthropic", field="input", basis="model").sizes == (
        pytest.approx(1 - 8 / 11.02), pytest.approx(0.2))


# -- errors -----------------------------------------------------------------------------------
def test_errors_name_the_input_and_the_fix():
    with pytest.raises(ValueError, match="did you mean 'openai:frontier'"):
        pf.fit_decline("openai:fronteir")
    with pytest.raises(ValueError, match="'price' is not a valid price field"):
        pf.fit_decline("openai:frontier", field="price")
    with pytest.raises(ValueError, match="needs at least 3"):
        pf.fit_model_decline("gemini-1.5-pro")
    with pytest.raises(ValueError, match="lie exactly on a line"):
        pf.fit_decline("anthropic:small")
    with pytest.raises(ValueError, match="must be before its end"):
        pf.fit_decline("openai:frontier", window=("2025-01-01", "2024-01-01"))
    with pytest.raises(ValueError, match="before its first price"):
        pf.fit_decline("openai:frontier", window=("2020-01-01", None))
    with pytest.raises(ValueError, match="must be an ISO date"):
        pf.fit_decline("openai:frontier", window=("May 2024", None))
    with pytest.raises(ValueError, match="must be \\(start, end\\)"):
        pf.fit_decline("openai:frontier", window=("2024-01-01",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is not a valid basis"):
        pf.fit_step_cuts("openai:frontier", basis="vendor")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"level=1\.5 must be between 0 and 1"):
        pf.fit_step_cuts("openai:frontier", level=1.5)
    with pytest.raises(ValueError, match="needs at least 2 cuts"):
        pf.fit_step_cuts("openai:small", window=("2024-08-01", "2025-08-07")).size_distribution()
    with pytest.raises(ValueError, match="not in the price history; did you mean"):
        ph.history("gpt-4-turob")


def test_history_of_a_family_and_of_a_model():
    h = ph.history("gpt-4o", field="input")
    assert h.select("model", "price").rows() == [("gpt-4o-2024-05-13", 5.0),
                                                 ("gpt-4o-2024-08-06", 2.5)]
    assert ph.history("o3")["date"].to_list()[-1] == date(2025, 6, 10)
