"""The full calculator, multi-vendor (``ftrisk cost``), and self-hosting's cost per 1M tokens.

Every figure is worked by hand from list prices: calls x tokens x $/1M, months of 30 days,
years of 12 months, GPUs billed 720 hours a month (the lesson's $742 for an A10G).
"""

from __future__ import annotations

import csv
import re

import pytest

from sim.cli import main
from sim.costs.calculator import compare_api_costs, self_hosted_cost
from sim.study.catalog import api_price

from helpers import ROOT

WORKLOAD = ["--requests-per-day", "50000", "--input-tokens", "500", "--output-tokens", "200"]


def out(args, capsys):
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_two_models_by_hand():
    rows = compare_api_costs([api_price("gpt-4o@2024"), api_price("gpt-3.5-turbo@2024")],
                             50_000, 500, 200, cache_share=0.5)
    cheap, dear = rows
    assert (cheap.price.model, dear.price.model) == ("gpt-3.5-turbo@2024", "gpt-4o@2024")
    # GPT-4o at $5/$15: (500 x 5 + 200 x 15) / 1e6 = $0.0055 a call
    std = dear.standard
    assert std.per_call == pytest.approx(0.0055)
    assert std.per_day == pytest.approx(275.0)
    assert std.per_month == pytest.approx(8_250.0)
    assert std.per_year == pytest.approx(99_000.0)
    # half the input cached at 10%: 250 x 5 + 250 x 0.5 + 200 x 15 = 4,375 per 1M calls
    cached, batch = dear.rows[1], dear.rows[2]
    assert cached.per_month == pytest.approx(4_375 / 1e6 * 50_000 * 30)
    assert batch.per_month == pytest.approx(4_125.0) and batch.inferred
    # GPT-3.5-turbo at $0.50/$1.50: a tenth of it
    assert cheap.standard.per_call == pytest.approx(0.00055)
    assert cheap.standard.per_month == pytest.approx(825.0)


def test_the_command_prints_them_side_by_side_sorted(capsys):
    code, text, _ = out(["cost", "--model", "gpt-4o@2024", "--model", "gpt-3.5-turbo@2024",
                         *WORKLOAD], capsys)
    assert code == 0
    lines = text.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.startswith("gpt-3.5-turbo@2024"))
    second = next(i for i, ln in enumerate(lines) if ln.startswith("gpt-4o@2024"))
    assert first < second
    assert lines[first].split()[-4:] == ["$0.00055", "$27.50", "$825.00", "$9,900"]
    assert lines[second].split()[-4:] == ["$0.00550", "$275.00", "$8,250.00", "$99,000"]
    # the variants under each model: prompt cache, batch (inferred: starred)
    assert "batch API*" in lines[second + 2] and "$4,125.00" in lines[second + 2]
    assert "$6,562.50" in lines[second + 1]


def _latest_launch(tier: str) -> str:
    rows = [r for r in csv.DictReader((ROOT / "sim" / "data" / "price_history.csv").open())
            if r["tier"] == tier and r["kind"] == "launch" and r["field"] == "input"
            and r["catalog_ref"].startswith("genai:")]
    return max(rows, key=lambda r: (r["date"], r["model"]))["catalog_ref"][len("genai:"):]


@pytest.mark.parametrize("level", ["frontier", "small"])
def test_compare_picks_each_major_vendors_latest_model(capsys, level):
    picks = [_latest_launch(f"{v}:{level}") for v in ("openai", "anthropic", "google",
                                                       "mistral")]
    code, text, _ = out(["cost", "--compare", level, *WORKLOAD], capsys)
    assert code == 0
    shown = [ln.split()[0] for ln in text.splitlines()
             if ln and not ln.startswith((" ", "─", "model", "50,000", "--compare", "Prices"))]
    assert sorted(shown) == sorted(api_price(p).model for p in picks)
    monthly = [float(re.findall(r"\$([\d,]+\.\d\d)", ln)[-1].replace(",", ""))
               for ln in text.splitlines() if ln.split() and ln.split()[0] in shown]
    assert monthly == sorted(monthly)
    if level == "frontier":
        assert set(picks) >= {"openai/gpt-5", "anthropic/claude-opus-4-5"}


def test_self_hosting_per_million_the_lessons_figures():
    # an A10G at $1.03/h: 1.03 x 720 = $741.60 a month (the lesson: $742); 5,000 tokens/s
    # x 2,592,000 s = 12.96B tokens a month
    s = self_hosted_cost(1.03, 5000.0, utilization=0.2)
    assert s.monthly_per_instance == pytest.approx(741.60)
    assert s.tokens_per_month_full == pytest.approx(12.96e9)
    assert s.per_million_full == pytest.approx(741.60 / 12_960)  # 0.05722: the lesson $0.057
    assert round(s.per_million_full, 3) == 0.057
    # at 20% utilization five times that, 0.2861 (the lesson prints $0.28, truncated)
    assert s.per_million == pytest.approx(741.60 / 12_960 / 0.2)
    assert int(s.per_million * 100) / 100 == 0.28
    # the lesson's 70B: 2 x A100 80GB at $3,600 a month, 800 tokens/s: $1.74 and $8.68
    big = self_hosted_cost(2.5, 800.0, utilization=0.2, gpus=2)
    assert big.monthly_per_instance == pytest.approx(3_600.0)
    assert (round(big.per_million_full, 2), round(big.per_million, 2)) == (1.74, 8.68)


def test_self_hosting_instances_for_a_workload():
    s = self_hosted_cost(1.03, 5000.0, utilization=0.2)
    # the lesson: 10M tokens/day at a 20% target needs 578.7 tokens/s of capacity: one A10G
    assert s.instances(10e6) == 1
    assert s.used(10e6) == pytest.approx(10e6 / 86_400 / 5000)
    # exactly two instances' worth at 20% is two, not three
    assert s.instances(2 * 5000 * 0.2 * 86_400) == 2
    assert s.instances(2 * 5000 * 0.2 * 86_400 * 1.001) == 3
    row = s.costs(50_000, 700)  # 35M tokens/day: 405 tokens/s over 1,000 planned: 1 instance
    assert row.per_month == pytest.approx(741.60)
    assert row.per_call == pytest.approx(741.60 / 30 / 50_000)


def test_the_command_prints_self_hosting(capsys):
    code, text, _ = out(["cost", "--gpu", "a10g", "--throughput", "5000", "--utilization",
                         "0.2"], capsys)
    assert code == 0
    assert "$741.60 a month 24/7" in text
    assert "cost per 1M tokens: $0.057 at full utilization, $0.286 at 20%" in text
    code, text, _ = out(["cost", "--model", "gpt-4o@2024", *WORKLOAD, "--gpu-hourly", "1.03",
                         "--throughput", "5000", "--utilization", "0.2"], capsys)
    assert code == 0
    # 35M tokens/day = 405 tokens/s on average: 1 instance planned at 20%, 8.1% used; its
    # month ($741.60) sorts before GPT-4o's $8,250
    assert "1 instance(s) planned at 20%, 8.1% of their throughput used" in text
    hosted = next(i for i, ln in enumerate(text.splitlines()) if ln.startswith("self-hosted"))
    api = next(i for i, ln in enumerate(text.splitlines()) if ln.startswith("gpt-4o@2024"))
    assert hosted < api and "$741.60" in text.splitlines()[hosted]


def test_aggregator_rows_need_all(capsys):
    code, _, err = out(["cost", "--model", "openrouter/openai/gpt-4o-mini", *WORKLOAD], capsys)
    assert code == 2
    assert "--model: 'openrouter/openai/gpt-4o-mini' is an aggregator's row" in err
    assert "add --all" in err
    code, text, _ = out(["cost", "--model", "openrouter/openai/gpt-4o-mini", *WORKLOAD,
                         "--all"], capsys)
    assert code == 0 and "openai/gpt-4o-mini" in text and "aggregator's row" in text


@pytest.mark.parametrize(("args", "message"), [
    ([], "--model: give at least one --model, --compare LEVEL or --gpu"),
    (["--model", "gpt-4o@2024"], "--requests-per-day: required"),
    (["--compare", "huge", *WORKLOAD], "--compare: 'huge' is not a level of openai"),
    (["--gpu", "a10g"], "--throughput: give it with --gpu"),
    (["--gpu", "tpu", "--throughput", "10"], "--gpu: 'tpu' is not in the GPU catalog"),
    (["--gpu", "a10g", "--throughput", "5000", "--utilization", "0"],
     "--utilization: 0 must be a number in [0.01, 1]"),
    (["--gpu-hourly", "-1", "--throughput", "5000"], "--gpu-hourly: -1 must be"),
    (["--gpu", "a10g", "--throughput", "nan"], "--throughput: nan must be a finite number"),
    (["--model", "nope-9", *WORKLOAD], "--model: 'nope-9' is not in the price catalog"),
])
def test_cost_flag_errors(capsys, args, message):
    code, _, err = out(["cost", *args], capsys)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_negative_or_infinite_workload_is_rejected():
    price = api_price("gpt-4o@2024")
    for args in ((-1.0, 1000.0, 250.0), (1000.0, float("nan"), 250.0), (1000.0, 1000.0, -5.0)):
        with pytest.raises(ValueError, match=r"^requests per day and token counts must be "
                           r"finite and >= 0$"):
            compare_api_costs([price], *args)
