"""The smaller commands: prices, cost, screen, train-cost."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.decision.screen import should_fine_tune


def out(args, capsys):
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_prices_filter(capsys):
    code, text, _ = out(["prices", "--filter", "gpt-4o@"], capsys)
    assert code == 0
    assert "gpt-4o@2024" in text and "0.5*" in text  # cached input inferred at 10%
    code, text, _ = out(["prices", "--kind", "gpu"], capsys)
    assert "a10g" in text and "1.03" in text
    code, text, _ = out(["prices", "--kind", "training"], capsys)
    assert "openai" in text and "8" in text


def test_cost_calculator(capsys):
    code, text, _ = out(["cost", "--model", "gpt-4o@2024", "--requests-per-day", "50000",
                         "--input-tokens", "500", "--output-tokens", "200"], capsys)
    assert code == 0
    assert "$8,250.00" in text and "$99,000" in text and "$4,125.00" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "nope-9"], "--model: 'nope-9' is not in the price catalog"),
    (["--model", "gpt-4o@2024", "--cache-share", "1.5"], "--cache-share: 1.5 must be"),
])
def test_cost_bad_input(capsys, args, message):
    base = ["cost", "--requests-per-day", "10", "--input-tokens", "1", "--output-tokens", "1"]
    code, _, err = out(base + args, capsys)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_screen_matches_the_lesson_scores(capsys):
    # $10.5K/month (+3), high consistency (+2), 300 ms (+2) -> 7, STRONG: Fine-tune
    s = should_fine_tune(50_000, 700, 10.0, "high", 300, "medium", True, False)
    assert (s.score, s.verdict) == (7, "STRONG: Fine-tune")
    # $90/month (-2), low consistency (-2), 2,500 ms (0), high quality (-1), no ML (-2),
    # fast iteration (-2) -> -9
    s = should_fine_tune(500, 1000, 6.0, "low", 2500, "high", False, True)
    assert (s.score, s.verdict) == (-9, "STRONG: Use API")
    code, text, _ = out(["screen", "--daily-requests", "50000", "--tokens-per-request", "700",
                         "--api-cost-per-1m", "10", "--task-consistency", "high",
                         "--latency-ms", "300"], capsys)
    assert code == 0 and "HEURISTIC" in text and "STRONG: Fine-tune (score +7)" in text
    assert "ftrisk run" in text


def test_train_cost(capsys):
    code, text, _ = out(["train-cost", "--model-size", "7", "--method", "lora", "--examples",
                         "50000", "--seq-len", "512", "--epochs", "3", "--gpu", "a10g"], capsys)
    assert code == 0
    assert "13.6 h" in text and "$4.91 per run" in text and "FLOPs cross-check" in text


def test_train_cost_says_where_each_figure_comes_from(capsys):
    code, text, _ = out(["train-cost", "--model-size", "7", "--method", "lora", "--examples",
                         "50000", "--seq-len", "512", "--epochs", "3", "--gpu", "a10g"], capsys)
    assert code == 0
    assert ("  time: 76,800,000 tokens / 1,800 tok/s = 11.9 h, x 1.15 overhead (the lesson's "
            "15%) = 13.6 h") in text
    assert "  price: $1.03/GPU-hour on demand from the lesson's table; the catalog says $1.03" \
        in text
    assert "1 GPU x $1.03 x 0.35 spot = $0.36/h" in text


def test_a_gpu_outside_the_lessons_table_is_priced_from_the_catalog(capsys):
    # h100: the lesson's fallback throughput (4000 x 7 / 7 tok/s), but the catalog's $4.50
    # an hour, not the fallback's $3.10: 76.8M / 4000 / 3600 x 1.15 = 6.13 h x $1.575
    code, text, _ = out(["train-cost", "--model-size", "7", "--method", "lora", "--examples",
                         "50000", "--seq-len", "512", "--epochs", "3", "--gpu", "h100"], capsys)
    assert code == 0
    assert "4,000 tok/s on 1 x h100 (not in the lesson's table: its fallback rule" in text
    assert "  price: $4.50/GPU-hour on demand from the catalog (" in text
    assert "h100 is not in the lesson's table, whose fallback would charge $3.10" in text
    assert f"= 6.1 h at $1.57/h = ${round(76.8e6 / 4000 / 3600 * 1.15 * 4.5 * 0.35, 2):,.2f} per " \
        "run (spot)" in text
    code, text, _ = out(["train-cost", "--model-size", "7", "--examples", "1000",
                         "--gpu", "a100_40g", "--no-spot"], capsys)
    assert code == 0 and "$2.00/GPU-hour on demand from the catalog" in text
    assert "x $2.00 = $2.00/h" in text


def test_a_gpu_without_a_price_is_an_error(capsys):
    code, text, err = out(["train-cost", "--model-size", "7", "--examples", "1000",
                           "--gpu", "l4"], capsys)
    assert code == 2 and text == ""
    assert err == ("ftrisk: error: --gpu l4: no price on file; use one of the lesson's table "
                   "(a100_80g, a10g) or the catalog (a10g, a100_40g, a100_80g, h100), or add it "
                   "to sim/data/gpu_prices.csv\n")


def test_describe_shows_units(capsys):
    from helpers import STUDIES

    code, text, _ = out(["describe", str(STUDIES / "legal_contracts.toml")], capsys)
    assert code == 0
    header = next(ln for ln in text.splitlines() if ln.startswith("input "))
    assert header.split()[:8] == ["input", "distribution", "mean", "P10", "P50", "P90", "unit",
                                  "histogram"]
    row = next(ln for ln in text.splitlines() if ln.startswith("workload.requests_per_day"))
    assert "  requests/day  " in row
    row = next(ln for ln in text.splitlines() if ln.startswith("strategies.frontier.input_price"))
    assert "  $/1M tokens" in row


def test_screen_names_a_bad_level():
    with pytest.raises(ValueError, match=r"^quality_requirement: 'top' must be one of "):
        should_fine_tune(50_000, 700, 10.0, "high", 300, "top", True, False)


def test_in_table_the_lessons_rows():
    """The lesson's throughput table has LoRA on an A10G for 7B (and 6.9B, its closest
    size) but not for 13B (12B's closest size) nor on an H100, and no full fine-tune of 70B
    on an A10G."""
    from sim.costs.training import in_table

    assert [in_table(7, "lora", "a10g"), in_table(6.9, "lora", "a10g"),
            in_table(12, "lora", "a10g"), in_table(7, "lora", "h100"),
            in_table(70, "full", "a10g")] == [True, True, False, False, False]
