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
