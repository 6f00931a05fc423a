"""The price history read as the calculator page reads its own: the changelog (each model's
list-price change, old and new) and each tier's price over the last years (the page's
"3-year history" view); ``ftrisk prices --changes`` and ``--history MODEL --years N``.

Expected values are read from sim/data/price_history.csv with the csv module, or worked by
hand from its rows.
"""

from __future__ import annotations

import csv
from datetime import date

import pytest

from sim.cli import main
from sim.study.price_changes import changelog, history_date, last_years, tier_change, tier_changes

from helpers import ROOT

ROWS = list(csv.DictReader((ROOT / "sim" / "data" / "price_history.csv").open()))
END = date(2026, 11, 30)  # the history's date: its latest row (the page's seed figures)


def out(args, capsys):
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_the_history_date_is_its_latest_row():
    assert history_date() == max(date.fromisoformat(r["date"]) for r in ROWS) == END


def test_the_changelog_pairs_each_change_with_the_models_previous_price():
    # independent: for each 'change' row, the same vendor/model/field's latest earlier
    # launch, change or observed row
    want = []
    for r in ROWS:
        if r["kind"] != "change":
            continue
        before = [p for p in ROWS if (p["vendor"], p["model"], p["field"]) ==
                  (r["vendor"], r["model"], r["field"]) and p["date"] < r["date"]
                  and p["kind"] in ("launch", "change", "observed")]
        if before:
            old = float(max(before, key=lambda p: p["date"])["price"])
            want.append((date.fromisoformat(r["date"]), r["model"], r["field"], old,
                         float(r["price"])))
    got = changelog().select("date", "model", "field", "old", "new").rows()
    assert sorted(got) == sorted(want) and len(got) == 18


def test_hand_worked_changes():
    c = changelog(subject="gpt-3.5-turbo")
    assert c.select("date", "model", "field", "old", "new", "change").rows() == [
        (date(2023, 6, 13), "gpt-3.5-turbo-0301", "input", 2.0, 1.5, -0.25)]
    claude = changelog(subject="claude-2").select("field", "old", "new").rows()
    assert claude == [("input", 11.02, 8.0), ("output", 32.68, 24.0)]
    o3 = changelog(subject="openai:reasoning")
    assert o3.select("model", "old", "new").rows() == [("o3", 10.0, 2.0), ("o3", 40.0, 8.0)]
    assert o3["change"].to_list() == pytest.approx([-0.8, -0.8])
    gpu = changelog(subject="p5.48xlarge").row(0, named=True)
    assert gpu["unit"] == "usd_per_gpu_hour" and gpu["change"] == pytest.approx(6.88 / 12.29 - 1)
    assert changelog(since=date(2025, 1, 1))["date"].min() == date(2025, 6, 1)
    assert changelog(until=date(2023, 6, 30)).height == 1
    with pytest.raises(ValueError, match="'zzz' is not a vendor, tier, family or model"):
        changelog(subject="zzz")


def test_the_last_years_are_calendar_years():
    assert last_years(3) == (date(2023, 11, 30), END)
    assert last_years(1, until=date(2028, 2, 29)) == (date(2027, 2, 28), date(2028, 2, 29))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="whole number of years"):
            last_years(bad)


def test_a_tiers_move_over_three_years():
    # openai:frontier input on 2023-11-30: gpt-4 $30 (2023-03-14), gpt-4-turbo $10
    # (2023-11-06) -> $10; on 2026-11-30: gpt-4o $2.50, gpt-4.1 $2, gpt-5 $1.25 -> $1.25
    t = tier_change("openai:frontier", years=3)
    assert (t.start, t.end, t.old, t.old_model, t.new, t.new_model) == (
        date(2023, 11, 30), END, 10.0, "gpt-4-turbo", 1.25, "gpt-5")
    assert t.change == pytest.approx(1.25 / 10 - 1) and t.years == pytest.approx(3.0, abs=0.01)
    # a tier that started inside the window is read from its first price: Gemini 1.5 Flash,
    # $0.35 at launch (2024-05-14), cut to $0.075 (2024-08-12)
    g = tier_change("google:small", years=3)
    assert (g.start, g.old, g.new) == (date(2024, 5, 14), 0.35, 0.075)
    with pytest.raises(ValueError, match="has no input price before 2023-01-01"):
        tier_change("openai:frontier", years=1, until=date(2023, 1, 1))


def test_every_major_vendor_tier_is_read():
    moves = tier_changes(years=3)
    tiers = {r["tier"] for r in ROWS if r["kind"] in ("launch", "change") and r["tier"]
             and r["vendor"] in ("openai", "anthropic", "google", "mistral")
             and r["field"] in ("input", "output")}
    assert {t.tier for t in moves} == tiers
    assert all(t.new <= t.old for t in moves)  # the cheapest price in force never rises


def test_prices_changes_prints_the_changelog_and_the_tier_table(capsys):
    code, text, _ = out(["prices", "--changes", "--years", "3"], capsys)
    assert code == 0
    assert "Price changes in the 3 years to 2026-11-30" in text
    row = next(ln.split() for ln in text.splitlines() if ln.startswith("2025-06-10  openai"))
    assert row[:7] == ["2025-06-10", "openai", "o3", "input", "10", "2", "-80.0%"]
    assert "2023-06-13" not in text  # before the window
    frontier = next(ln for ln in text.splitlines()
                    if ln.split()[:2] == ["openai:frontier", "input"])
    assert "2023-11-30" in frontier and "10 (gpt-4-turbo)" in frontier
    assert "1.25 (gpt-5)" in frontier and frontier.endswith("-87.5%")
    moves = tier_changes(years=3)
    cut = sorted(-t.change for t in moves if t.change < 0)
    assert (f"{len(cut)} of {len(moves)} tier prices fell, by {cut[0]:.0%} to {cut[-1]:.0%}"
            in text)
    assert "dropped 40-90% in the last 24 months" in text


def test_prices_changes_of_one_subject(capsys):
    code, text, _ = out(["prices", "--changes", "anthropic:frontier"], capsys)
    assert code == 0
    assert "2023-11-21  anthropic  claude-2" in text
    tiers = [ln.split()[0] for ln in text.split("Tier prices")[1].splitlines()[3:]
             if ln.startswith("anthropic:")]
    assert tiers == ["anthropic:frontier", "anthropic:frontier"]
    code, text, _ = out(["prices", "--changes", "gpt-3.5-turbo"], capsys)
    assert code == 0 and "Tier prices" not in text and "-25.0%" in text


def test_history_of_the_last_years(capsys, tmp_path):
    page = tmp_path / "h.html"
    code, text, _ = out(["prices", "--history", "gpt-3.5-turbo", "--years", "3", "--html",
                         str(page)], capsys)
    assert code == 0
    # on 2023-11-30 the family's cheapest: -1106 at $1 in (2023-11-06), $2 out
    assert "in force on 2023-11-30: input 1 (gpt-3.5-turbo-1106), output 2" in text
    dated = [ln.split()[0] for ln in text.splitlines() if ln[:4].isdigit()]
    assert dated == ["2024-01-25"]
    html = page.read_text()
    assert "from 2023-11-30 (the prices in force that day" in html
    assert "2023-06-13" not in html.split("<h2>Sources")[0].split("</table>")[0][-4000:]
    code, text, _ = out(["prices", "--history", "gpt-4o", "--years", "2"], capsys)
    assert code == 0
    assert "input 2.5 (gpt-4o-2024-08-06)" in text and "no dated change since 2024-11-30" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--changes", "zzz"], "--changes: 'zzz' is not a vendor, tier, family or model"),
    (["--years", "2"], "--years: only with --history or --changes"),
    (["--changes", "--years", "0"], "--years: 0 must be a whole number of years >= 1"),
    (["--changes", "--all"], "--changes: give it without --filter"),
])
def test_changes_flag_errors(capsys, args, message):
    code, _, err = out(["prices", *args], capsys)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
