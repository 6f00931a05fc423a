"""Every bundled study that states a price decline says whether it agrees with the fit to
the price history: its "Price evidence" comment block is exactly what this module computes
from the study's own inputs and the fits (each tier fitted from its first dated price to the
history's date, the price held since its last change).

Regenerate the blocks after changing a study or the history::

    PYTHONPATH=. python tests/test_price_evidence.py --write

Which tier a strategy's prices follow is a judgement, written down in :data:`TIERS`.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import polars as pl
import pytest

from sim import load_study
from sim.study.price_fits import fit_decline, fit_step_cuts
from sim.study.price_history import price_history

from helpers import STUDIES, STUDY_FILES

DECLINE_KEYS = ("annual_price_drop", "price_cuts_per_year", "gpu_annual_price_drop")
#: The tier whose price a strategy's declines describe, and the fields fitted.
TIERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "gpt-4o": ("openai:frontier", ("input", "output")),
    "gpt-4": ("openai:frontier", ("input", "output")),
    "gpt-4o-mini": ("openai:small", ("input", "output")),
    "gpt-3.5-turbo": ("openai:small", ("input", "output")),
    "ft:gpt-4o-mini": ("openai:ft-small", ("ft_input", "ft_output")),
    "gemini-2.0-flash-lite": ("google:lite", ("input", "output")),
    "claude-sonnet-4-6": ("anthropic:frontier", ("input", "output")),
}
#: Strategies without a catalog model: what their prices are.
UNNAMED = {("startup", "gpt4"): "gpt-4", ("enterprise", "hosted_ft"): "ft:gpt-4o-mini"}
HEAD = "# Price evidence"


def _as_of() -> str:
    return str(price_history()["date"].max())


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _range(dist, pct: bool = False) -> str:
    lo, hi = dist.support
    return f"{lo:.0%}-{hi:.0%}" if pct else f"{lo:g}-{hi:g}"


def _place(x: float, lo: float, hi: float, words: tuple[str, str, str]) -> str:
    return words[0] if x < lo else words[2] if x > hi else words[1]


def _decline_fits(tier: str, fields: tuple[str, ...], window) -> tuple[list[str], list[str]]:
    """('input 58.1%/yr (p10-p90 46.5%-67.2%)', ...) and the verdict words per field."""
    texts, fits = [], []
    for field in fields:
        try:
            fit = fit_decline(tier, field=field, window=window)
        except ValueError as err:
            texts.append(f"{field}: no decline fitted ({str(err).split(': ', 1)[1]})")
            fits.append(None)
            continue
        q10, _, q90 = fit.quantiles
        texts.append(f"{field} {_pct(fit.rate)}/yr (p10-p90 {_pct(q10)}-{_pct(q90)})")
        fits.append((q10, q90))
    return texts, fits


def _api_entry(name: str, model: str, s) -> str:
    tier, fields = TIERS[model]
    window = (None, _as_of())
    cuts = fit_step_cuts(tier, field=fields[0], window=window)
    lo, hi = cuts.rate_interval
    rate, size = s.inputs["price_cuts_per_year"].dist, s.inputs["price_cut_size"].dist
    floor = s.inputs["price_floor"].dist.median
    r, z = rate.median, size.median
    implied = 1 - (1 - z) ** r
    sized = (f" of {_pct(cuts.size_mean)} (sd {_pct(cuts.size_sd)})" if cuts.count >= 2
             else "")
    texts, fits = _decline_fits(tier, fields, window)
    fitted = (f"{tier}, fitted {cuts.window[0]} to {cuts.window[1]}: {cuts.count} cuts, "
              f"{cuts.rate:.2f} a year (90% {lo:.2f}-{hi:.2f}){sized}; "
              + ", ".join(texts))
    stated = (f"Stated: {_range(rate)} cuts a year of {_range(size, True)}, floor "
              f"{floor:.0%} (at the medians {r:g} of {z:.0%}: {_pct(implied)}/yr).")
    verdict = [f"the stated cut rate {_place(r, lo, hi, ('is slower', 'agrees', 'is faster'))}"]
    if cuts.count >= 2:
        verdict.append("the stated cut size " + _place(z, cuts.size_mean - cuts.size_sd,
                                                cuts.size_mean + cuts.size_sd,
                                                ("is smaller", "agrees", "is larger")))
    declines = [f"{_place(implied, *f, ('slower than', 'within', 'faster than'))} the "
                f"{field} fit" for field, f in zip(fields, fits, strict=True) if f is not None]
    tail = f"; the stated decline is {' and '.join(declines)}" if declines else (
        "; no decline to compare")
    return (f"- {name} ({model}): {fitted}. {stated} Verdict: {', '.join(verdict)}{tail}.")


def _gpu_entry(name: str, s) -> str:
    gpu = s.options["gpu"]
    stated = s.inputs["gpu_annual_price_drop"].dist
    d = stated.median
    rows = price_history().filter(pl.col("tier") == f"gpu:{gpu}",
                                  pl.col("field") == "gpu_hourly_on_demand",
                                  pl.col("kind").is_in(["launch", "change"])).sort("date")
    head = (f"- {name} (gpu {gpu}): Stated: gpu_annual_price_drop {_range(stated, True)} a "
            f"year (median {d:.0%}). ")
    if rows.height < 2:
        return (head + f"Fitted: gpu:{gpu} has {rows.height} dated on-demand price(s), "
                "nothing to fit. Verdict: no evidence either way.")
    (d0, p0), (d1, p1) = rows.select("date", "price").rows()[0], rows.select(
        "date", "price").rows()[-1]
    years = (d1 - d0).days / 365.25
    rate = 1 - (p1 / p0) ** (1 / years)
    lo, hi = stated.support
    word = _place(rate, lo, hi, ("faster than", "agrees with", "slower than"))
    return (head + f"Fitted: gpu:{gpu} has {rows.height} dated on-demand prices, "
            f"${p0:.2f} ({d0}) to ${p1:.2f} ({d1}): {_pct(rate)}/yr between them (too few "
            f"to give an uncertainty). Verdict: the stated range {word} the history.")


def _wrap(text: str, first: str = "# ", rest: str = "#   ", width: int = 92) -> list[str]:
    """``text`` as comment lines of at most ``width`` characters."""
    words, lines, line = text.split(), [], first
    for w in words:
        if len(line) + len(w) + 1 > width and line.strip("# "):
            lines.append(line.rstrip())
            line = rest
        line += w + " "
    lines.append(line.rstrip())
    return lines


def evidence_block(path: Path) -> list[str] | None:
    """The study's "Price evidence" comment lines (None when it states no decline)."""
    study = load_study(path)
    entries = []
    for name, s in study.strategies.items():
        if "gpu_annual_price_drop" in s.inputs and not s.inputs[
                "gpu_annual_price_drop"].is_default:
            entries.append(_gpu_entry(name, s))
        if "price_cuts_per_year" in s.inputs:
            model = s.options.get("model") or UNNAMED[(path.stem, name)]
            entries.append(_api_entry(name, model, s))
    if not entries:
        return None
    lines = _wrap(f"Price evidence (ftrisk prices --fit; each tier fitted from its first dated "
                  f"price to the price history's date, {_as_of()}, its price held since its "
                  "last change; tests/test_price_evidence.py checks this block):", rest="# ")
    for e in entries:
        lines += _wrap(e, "# ", "#   ")
    return lines


def _current_block(text: str) -> list[str]:
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith(HEAD)), None)
    if start is None:
        return []
    end = start
    while end < len(lines) and lines[end].startswith("#"):
        end += 1
    return lines[start:end]


def _studies() -> list[Path]:
    return list(STUDY_FILES)


@pytest.mark.parametrize("path", _studies(), ids=lambda p: p.stem)
def test_each_stated_decline_says_whether_it_agrees_with_the_fit(path):
    expected = evidence_block(path)
    current = _current_block(path.read_text(encoding="utf-8"))
    if expected is None:
        assert current == [], f"{path.name} states no decline but has a block"
        return
    assert current == expected, (
        f"{path.name}: its price-evidence block is out of date; regenerate it with "
        "PYTHONPATH=. python tests/test_price_evidence.py --write")


def test_the_blocks_quote_the_fits():
    # one worked entry: the frontier of the legal study against openai:frontier
    block = " ".join(ln.lstrip("#").strip()
                     for ln in _current_block((STUDIES / "legal_contracts.toml").read_text()))
    fit = fit_decline("openai:frontier", window=(None, "2026-11-30"))
    assert f"input {fit.rate:.1%}/yr" in block and "58.1%/yr" in block
    cuts = fit_step_cuts("openai:frontier", window=(None, "2026-11-30"))
    assert cuts.count == 5 and f"{cuts.rate:.2f} a year" in block
    # 1 cut a year of 35% at the medians is 35%/yr: below the input fit's p10 (46.5%)
    assert "(at the medians 1 of 35%: 35.0%/yr)" in block
    assert math.isclose(1 - (1 - 0.35) ** 1.0, 0.35)
    assert "the stated decline is slower than the input fit and within the output fit" in block


def _write() -> None:
    for path in _studies():
        block = evidence_block(path)
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        old = _current_block(text)
        if old:
            i = lines.index(old[0])
            del lines[i:i + len(old)]
            if i > 0 and lines[i - 1] == "#":  # the separator written before it
                del lines[i - 1]
        if block is not None:
            at = next(i for i, ln in enumerate(lines) if ln.startswith("[study]"))
            lines[at:at] = ["#", *block] if lines[at - 1].startswith("#") else block
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        _write()
    else:
        for p in _studies():
            print(p.name, *(evidence_block(p) or ["(no decline)"]), sep="\n")
