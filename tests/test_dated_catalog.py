"""The dated catalog: every field's checked date and, when inferred, its reason (the page's
"Why it's inferred" table); aggregator and reseller rows left out unless asked; the catalog
snapshot in the manifest; ``ftrisk prices --history/--fit``.

Expected values are read from the data files and genai-prices directly, or worked by hand.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import tomllib
from datetime import date

import pytest
from scipy import stats

from sim.cli import main
from sim.study import catalog
from sim.study.provenance import catalog_snapshot
from sim.study.providers import inferred_reason, role_of

from helpers import ROOT, write_toml

DATA = ROOT / "sim" / "data"


def out(args, capsys):
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


# -- fields: dates and reasons ----------------------------------------------------------------
def test_reference_fields_carry_the_entry_date_and_the_inferred_reason():
    p = catalog.api_price("gpt-4o@2024")
    assert [f.field for f in p.fields] == ["input", "output", "cached_input", "batch_input",
                                           "batch_output"]
    assert {f.checked for f in p.fields} == {"2024"}
    published = {f.field: f for f in p.fields if not f.inferred}
    assert set(published) == {"input", "output"} and all(
        f.reason is None for f in published.values())
    cached = p.field("cached_input")
    assert cached.price == pytest.approx(0.5) and cached.inferred
    assert cached.reason == ("derived at 10% of input: OpenAI's convention, an automatic 90% "
                             "discount on cache hits")
    assert p.field("batch_output").reason == ("derived at 50% of output: OpenAI's Batch API, "
                                              "a uniform 50% discount")
    anthropic = catalog.api_price("claude-3-haiku@2024")
    assert anthropic.field("batch_input").reason == (
        "derived at 50% of input: Anthropic documents a uniform 50% Message Batches discount")


def test_a_vendor_without_a_convention_takes_the_industry_one():
    assert inferred_reason("mistral", "cached_input") == (
        "derived at 10% of input: the industry convention, cached input at 10% of the input "
        "price (90% off)")
    with pytest.raises(ValueError, match="'input' is never inferred"):
        inferred_reason("openai", "input")


def test_genai_fields_are_dated_from_the_data():
    from genai_prices import data_snapshot

    p = catalog.api_price("gpt-4o")
    snap = data_snapshot.get_snapshot()
    model = next(m for m in next(q for q in snap.providers if q.id == "openai").models
                 if m.id == "gpt-4o")
    # its comments verify the batch and flex tiers on 2026-10-12 and 2026-10-14; the batch
    # variant starts 2026-10-14
    assert max(re.findall(r"\d{4}-\d{2}-\d{2}", model.price_comments)) == "2026-10-14"
    batch = next(v for v in model.price_variants if v.when == {"processing": "batch"})
    assert p.field("batch_input").checked == str(batch.constraint.start_date) == "2026-10-14"
    assert p.field("input").checked == "2026-10-14"
    # gpt-4o publishes all five fields: nothing inferred
    assert p.inferred == () and not any(f.inferred for f in p.fields)
    assert (p.cached_input, p.batch_input, p.batch_output) == (1.25, 1.25, 5.0)


def test_an_undated_genai_row_says_which_data_it_is():
    p = catalog.api_price("openai/gpt-4o-mini-tts")
    from importlib.metadata import version

    assert p.checked == f"genai-prices {version('genai-prices')}"
    assert set(p.inferred) == {"cached_input", "batch_input", "batch_output"}
    for f in p.fields:
        assert f.checked == p.checked
        assert f.inferred == (f.field in p.inferred)
        assert (f.reason is not None) == f.inferred


def test_every_inferred_field_of_the_first_party_rows_has_its_reason():
    rows = catalog.list_api_prices(None)
    assert len(rows) > 100
    for p in rows:
        for f in p.fields:
            assert f.checked, (p.model, f.field)
            if f.inferred:
                base = "input" if f.field != "batch_output" else "output"
                factor = 0.1 if f.field == "cached_input" else 0.5
                assert f.price == pytest.approx(getattr(p, base) * factor), (p.model, f)
                assert f.reason.startswith(f"derived at {factor:.0%} of {base}: "), (p.model, f)


# -- aggregators and resellers ----------------------------------------------------------------
def test_roles_come_from_the_data_file():
    doc = tomllib.loads((DATA / "catalog_providers.toml").read_text())
    assert {k: v["role"] for k, v in doc["roles"].items()} == {
        "openrouter": "aggregator", "quicksilverpro": "aggregator",
        "huggingface_*": "aggregator", "github-copilot": "reseller", "cursor": "reseller"}
    assert role_of("huggingface_together").role == "aggregator"
    assert role_of("together").role == "vendor"
    assert role_of("cursor").why.startswith("models sold inside Cursor")


def test_aggregator_rows_are_left_out_unless_asked():
    vendor_only = catalog.list_api_prices("gpt-4o-mini")
    assert {p.provider for p in vendor_only} == {"openai"}
    every = catalog.list_api_prices("gpt-4o-mini", include_all=True)
    assert {(p.provider, p.role) for p in every} >= {("openai", "vendor"),
                                                     ("openrouter", "aggregator")}
    assert catalog.list_api_prices("cursor") == []
    assert {p.role for p in catalog.list_api_prices("cursor", include_all=True)} == {"reseller"}


def test_a_bare_name_resolves_to_the_vendor_row():
    from genai_prices import data_snapshot

    snap = data_snapshot.get_snapshot()
    # a model id both Anthropic and resellers list: the vendor's row is taken
    anthropic_ids = {m.id for m in next(p for p in snap.providers if p.id == "anthropic").models}
    copilot_ids = {m.id for m in next(p for p in snap.providers
                                      if p.id == "github-copilot").models}
    quick_ids = {m.id for m in next(p for p in snap.providers if p.id == "quicksilverpro").models}
    shared = sorted(anthropic_ids & (copilot_ids | quick_ids))
    assert shared
    for model in shared:
        assert catalog.api_price(model).provider == "anthropic", model
    assert catalog.api_price("openrouter/openai/gpt-4o-mini").role == "aggregator"


def test_prices_command_hides_aggregators_and_says_so(capsys):
    code, text, _ = out(["prices", "--kind", "api", "--filter", "gpt-4o-mini"], capsys)
    assert code == 0
    assert "openrouter" not in text
    hidden = re.search(r"\((\d+) aggregator or reseller rows left out", text)
    assert hidden and int(hidden.group(1)) >= 3
    code, text, _ = out(["prices", "--kind", "api", "--filter", "gpt-4o-mini", "--all"], capsys)
    assert "openrouter (aggregator)" in text and "left out" not in text


def test_prices_inferred_lists_the_reasons(capsys):
    code, text, _ = out(["prices", "--kind", "api", "--filter", "gpt-4o@", "--inferred"],
                        capsys)
    assert code == 0
    assert "openai / gpt-4o@2024  cached_input  derived at 10% of input: OpenAI's" in text
    assert "0.5*" in text and "7.5*" in text


# -- the catalog snapshot in the manifest -----------------------------------------------------
def test_catalog_snapshot_hashes_and_dates_our_files(lesson_doc, tmp_path):
    from importlib.metadata import version

    snap = catalog_snapshot()
    assert snap["genai_prices"] == version("genai-prices")
    files = snap["files"]
    assert set(files) == {"api_prices.toml", "catalog_providers.toml", "gpu_prices.csv",
                          "price_history.csv", "training_prices.toml"}
    for name, entry in files.items():
        raw = (DATA / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(raw).hexdigest()
        assert entry["bytes"] == len(raw)
    history = list(csv.DictReader((DATA / "price_history.csv").open()))
    assert files["price_history.csv"]["latest_date"] == max(r["date"] for r in history)
    assert files["catalog_providers.toml"]["latest_date"] == "2026-11-30"
    assert files["gpu_prices.csv"]["latest_date"] == "2024"  # its rows are dated by year
    path = write_toml(tmp_path / "s.toml", lesson_doc)
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["catalog_snapshot"] == snap
    assert manifest["fitted_inputs"] == []


# -- ftrisk prices --history and --fit --------------------------------------------------------
def test_history_table_and_step_chart(capsys, tmp_path):
    page = tmp_path / "p" / "h.html"
    code, text, _ = out(["prices", "--history", "gpt-3.5-turbo", "--html", str(page)], capsys)
    assert code == 0
    lines = [ln.split() for ln in text.splitlines() if re.match(r"\d{4}-\d\d-\d\d ", ln)]
    # date, model, kind, input, output, src: the vendor's announcements, the June 2023 cut
    # of the 0301 snapshot's input price beside the 0613 launch
    assert [(r[0], r[1], r[3], r[4]) for r in lines] == [
        ("2023-03-01", "gpt-3.5-turbo-0301", "2", "2"),
        ("2023-06-13", "gpt-3.5-turbo-0301", "1.5", "-"),
        ("2023-06-13", "gpt-3.5-turbo-0613", "1.5", "2"),
        ("2023-11-06", "gpt-3.5-turbo-1106", "1", "2"),
        ("2024-01-25", "gpt-3.5-turbo-0125", "0.5", "1.5")]
    assert "sources:\n  [1] " in text and f"wrote {page}" in text
    html = page.read_text()
    assert "step-after" in html and "<script src=" not in html
    assert "gpt-3.5-turbo: dated list prices" in html


def test_step_frame_holds_the_cheapest_price_to_the_history_date():
    from sim.report.price_pages import step_frame
    from sim.study.price_history import history

    steps = step_frame(history("gpt-3.5-turbo", field="input"), until=date(2026, 11, 30))
    assert steps.select("date", "price").rows() == [
        (date(2023, 3, 1), 2.0), (date(2023, 6, 13), 1.5), (date(2023, 11, 6), 1.0),
        (date(2024, 1, 25), 0.5), (date(2026, 11, 30), 0.5)]


def test_fit_command_reproduces_the_fit(capsys):
    code, text, _ = out(["prices", "--fit", "openai:frontier"], capsys)
    assert code == 0
    # independent: linregress on the tier's cheapest input price, worked from the rows
    days = [date(2023, 3, 14), date(2023, 11, 6), date(2024, 5, 13), date(2024, 8, 6),
            date(2025, 2, 27), date(2025, 4, 14), date(2025, 8, 7)]
    prices = [30.0, 10.0, 5.0, 2.5, 2.5, 2.0, 1.25]
    years = [(d - days[0]).days / 365.25 for d in days]
    ref = stats.linregress(years, [math.log(p) for p in prices])
    rate = 1 - math.exp(ref.slope)
    se = math.exp(ref.slope) * ref.stderr
    row = next(ln for ln in text.splitlines() if ln.startswith("openai:frontier  input"))
    assert "2023-03-14 to 2025-08-07" in row and f"{rate:.1%} ± {se:.1%}" in row
    cuts = next(ln for ln in text.splitlines()[5:] if ln.startswith("openai:frontier  input"))
    k, t = 5, (days[-1] - days[0]).days / 365.25
    lo, hi = stats.chi2.ppf(0.05, 2 * k) / (2 * t), stats.chi2.ppf(0.95, 2 * k + 2) / (2 * t)
    assert f"{k / t:.2f} [{lo:.2f}, {hi:.2f}]" in cuts
    assert 'annual_price_drop = { fitted = "openai:frontier" }' in text


def test_fit_a_vendor_lists_its_tiers(capsys):
    code, text, _ = out(["prices", "--fit", "anthropic", "--field", "input"], capsys)
    assert code == 0
    assert "anthropic:frontier  input" in text
    assert re.search(r"anthropic:small\s+input .*one flat price", text)
    assert "output" not in text.split("Step price cuts")[0].split("\n", 2)[2]


@pytest.mark.parametrize(("args", "message"), [
    (["--fit", "opneai"], "--fit: 'opneai' is not a vendor, tier or model:<name>"),
    (["--fit", "openai", "--field", "inptu"], "--field: 'inptu' is not a valid price field"),
    (["--fit", "openai", "--window", "2025-01-01", "May"], "--window: window date 'May' must"),
    (["--history", "gpt-4oo"], "--history: 'gpt-4oo' is not in the price history; did you "
     "mean 'gpt-4o'"),
    (["--html", "x.html"], "--html: only with --history"),
    (["--window", "2024-01-01", "2025-01-01"], "--window: only with --fit"),
    (["--history", "gpt-4o", "--all"], "--history: give it without --filter"),
    (["--history", "gpt-4o", "--field", "training"], "--field: gpt-4o has no dated prices for "
     "training"),
])
def test_prices_flag_errors(capsys, args, message):
    code, _, err = out(["prices", *args], capsys)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
