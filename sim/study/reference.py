"""The reference of the study-file format, rendered from the loader's own declarations.

``docs/study-file.md`` is this module's output: every key, its type or unit, default and
domain come from :data:`~sim.study.schema.WORKLOAD`, :data:`~sim.study.kinds.KINDS`,
:data:`~sim.study.loader.STUDY_SETTINGS`, :data:`~sim.study.loader.CONSTRAINT_KEYS` and
:data:`distributions.VALUE_FORMS`, so the page cannot drift from what the loader accepts (a
test compares them). Regenerate it with::

    python -m sim.study.reference > docs/study-file.md
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from distributions import VALUE_FORMS, fmt
from sim.study.cards import CARDS
from sim.study.fitted import FITTED_FORMS, FITTED_KEYS, OPTIONS
from sim.study.hardware import load_profiles
from sim.study.kinds import KINDS, Kind, Setting
from sim.study.loader import (
    CARD_INPUTS,
    CONSTRAINT_KEYS,
    CORRELATION_KEYS,
    HOURLY_PROFILE,
    STUDY_SETTINGS,
    TableKey,
)
from sim.study.schema import PROJECT_KEYS, VOLUME_PROCESS, WORKLOAD, Field
from sim.study.strategy import LESSON_PHASES, PHASE_FIELD, PHASES_KEY

__all__ = ["REGENERATE", "study_file_reference"]

#: The command that rewrites docs/study-file.md.
REGENERATE = "PYTHONPATH=. python -m sim.study.reference > docs/study-file.md"

INTRO = """\
# The study file

<!-- Generated from ftrisk's own declarations by `python -m sim.study.reference`; edit the
code (sim/study/), not this page. A test checks that the two agree. -->

A study is a TOML file: the workload, a baseline (what runs today), one or more candidate
strategies, the uncertain inputs, the horizon, the sample count and the seed. This page lists
every key the loader accepts; what the model does with them is in [the model](model.md).

```toml
[study]
name = "Legal contract analyzer"
source = "calculator page, scenario 'Faisal' (seed 000)"
horizon_months = 36
samples = 20000
seed = 7
baseline = "frontier"
payback_within = [6, 12, 24]

[workload]
requests_per_day = "3000 to 8000"       # a 90% interval -> lognormal
monthly_growth = { normal = { mean = 0.02, sd = 0.02 } }
input_tokens = 1000
output_tokens = 250

[strategies.frontier]
kind = "api"
model = "gpt-4o"                        # input and output prices from the catalog
annual_price_drop = { uniform = [0.2, 0.6] }
review_rate = 0.02                      # a lawyer's second look at 2% of the analyses
cost_per_review = 2.0

[strategies.hosted_ft]
kind = "hosted_ft"
input_price = 0.30                      # $ per 1M tokens of the fine-tuned model
output_price = 1.20
training_tokens = 250e6
training_price_per_1m = 8.0
engineering_hours = { pert = [4, 13, 40] }
annual_price_drop = { uniform = [0.2, 0.6] }
retrain_every_months = { uniform_int = [6, 18] }
mlops_fte = { uniform = [0, 0.25] }     # its upkeep, in ML engineers
quality_lift = { pert = [0.05, 0.2, 0.35] }   # 5-35% fewer reviews than the frontier

[[correlations]]
between = ["frontier.annual_price_drop", "hosted_ft.annual_price_drop"]
rank = 0.8
```

How to read the tables below:

- An **input** (the `[workload]` keys and a strategy's numeric keys) is a number or a
  distribution written in one of the [value forms](#values). Its **unit** is what the number
  counts; its **domain** is the physical range every value it can draw must stay in (a
  distribution that can leave it is an error that says how to fix it; a whole-number input
  given a continuous distribution is rounded). Every domain has a generous finite ceiling,
  its reason beside it, and the request volume may grow at most 1e100-fold over the
  horizon (`(1 + g)^(horizon_months - 1)` for the largest monthly growth `g` the study can
  draw): together they keep every figure of a run finite. An unbounded family (normal,
  lognormal, gamma) is judged by the values a sampling plan can actually draw, about 8.2
  standard deviations around its centre; cut a wide one with `truncate = [lo, hi]`.
- **default** is the value used when the key is left out. *required*: the study must give it;
  *optional*: leaving it out means "not applicable" (e.g. never retrained). The report's
  inputs table and `ftrisk describe STUDY` mark every input left at its default.
- A **setting** takes a word or `true`/`false`, never a distribution.
- An unknown key is an error naming the closest valid one; bad input makes every command
  exit with status 2 and one line naming the file, the key and the fix.
- `ftrisk run STUDY --set strategies.x.gpu_hourly=1.2` changes a key for one run (the value
  is exactly one TOML value; a bare word is read as a string).
"""


def _inline(value: Any) -> str:
    """A value form as TOML: ``{ uniform = [8, 16] }``."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return fmt(value) if isinstance(value, int | float) else f'"{value}"'


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _word(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, list):
        return f"`{value}`"
    return f"`{fmt(value)}`"


_TYPES = {str: "text", int: "whole number", list: "list", bool: "true or false"}


def _type(key: TableKey) -> str:
    types = key.types if isinstance(key.types, tuple) else (key.types,)
    return "number" if float in types else _TYPES[types[0]]


def _table_key_rows(keys: Mapping[str, TableKey]) -> list[list[str]]:
    rows = []
    for name, key in keys.items():
        if key.default is not None:
            default = _word(key.default)
        else:
            default = "optional" if key.optional else "required"
        rows.append([f"`{name}`", _type(key), default, key.allowed, key.help])
    return rows


def _default(name: str, spec: Field, kind: Kind | None) -> str:
    if spec.default is not None:
        text = f"`{fmt(spec.default)}`"
    else:
        text = "optional" if spec.optional else "required"
    if kind is None:
        return text
    sources = [s for s, setting in kind.settings.items() if name in setting.supplies]
    if sources:
        text += " (or from " + ", ".join(f"`{s}`" for s in sources) + ")"
    for key, cond_key, cond_value in kind.conditional:
        if key == name:
            when = f"`{cond_key}` is given" if cond_value == "*" else \
                f'`{cond_key} = "{cond_value}"`'
            text += f"; required when {when}"
    return text


def _field_rows(fields: Mapping[str, Field], kind: Kind | None = None) -> list[list[str]]:
    return [[f"`{name}`", spec.unit, _default(name, spec, kind), spec.domain.text, spec.help]
            for name, spec in fields.items()]


_INPUT_HEAD = ("key", "unit", "default", "domain", "meaning")

_LOOKUPS = {
    "api": "an API model of the price catalog (`ftrisk prices --kind api`)",
    "gpu": "a GPU of the price catalog (`ftrisk prices --kind gpu`)",
    "training": "a training provider of the price catalog (`ftrisk prices --kind training`)",
    "strategy": "the name of another strategy of the study",
}


def _values(setting: Setting) -> str:
    if setting.choices:
        return ", ".join(_word(c) for c in setting.choices)
    if setting.lookup == "hardware":
        return "a serving hardware profile: " + ", ".join(f'`"{p}"`'
                                                          for p in sorted(load_profiles()))
    if not setting.lookup:
        return "any text"
    return _LOOKUPS[setting.lookup]


def _setting_rows(kind: Kind) -> list[list[str]]:
    rows = []
    for name, setting in kind.settings.items():
        if setting.required:
            default = "required"
        elif setting.default is None:
            default = "-"
        else:
            default = _word(setting.default)
        meaning = setting.help
        if setting.supplies:
            meaning += "; fills in " + ", ".join(f"`{k}`" for k in setting.supplies)
        rows.append([f"`{name}`", _values(setting), default, meaning])
    return rows


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _kind_section(kind: Kind) -> list[str]:
    out = [f"### `{kind.name}`", "", kind.doc[0].upper() + kind.doc[1:] + ".", ""]
    if kind.components:
        out.append("- made of two other strategies of the study, named by "
                   + " and ".join(f"`{c}`" for c in kind.components)
                   + "; it cannot be the baseline, and the constraints judge it by its parts.")
    else:
        out.append(f"- data stays on the company's premises: {_yes(kind.on_premises)}; "
                   f"portable to another vendor without retraining: {_yes(kind.portable)}; "
                   f"serves on GPUs of its own (serving simulation, latency check, the "
                   f"lesson's break-even volume): {_yes(kind.gpu_serving)}.")
    no_baseline = [k for k in kind.fields if k in PROJECT_KEYS]
    if no_baseline and not kind.components:
        keys = ", ".join(f"`{k}`" for k in no_baseline)
        if kind.phases:
            keys += f", `{PHASES_KEY}`"
        out.append(f"- as the baseline (it runs today, there is no project) it may not have "
                   f"{keys}.")
    for key, others, why in kind.exclusive:
        out.append(f"- `{key}` and " + ", ".join(f"`{o}`" for o in others)
                   + f" exclude each other: {why}.")
    for key, needed, why in kind.requires:
        out.append(f"- `{key}` needs `{needed}`: {why}.")
    if "quality_lift" in kind.fields:
        out.append("- a strategy other than the baseline that leaves out `review_rate` or "
                   "`error_rate` takes the baseline's times (1 - `quality_lift`), and the "
                   "baseline's `cost_per_review` and `cost_per_error`; the baseline may not "
                   "have `quality_lift`.")
    out += ["", "Inputs:", ""]
    out += _table(_INPUT_HEAD, _field_rows(kind.fields, kind))
    if kind.alternatives:
        out += ["", "Words a numeric key may hold instead of a number:", ""]
        out += _table(("key", "word", "meaning"),
                      [[f"`{key}`", _word(word), meaning]
                       for key, words in kind.alternatives.items()
                       for word, meaning in words.items()])
    if kind.settings:
        out += ["", "Settings:", ""]
        out += _table(("key", "values", "default", "meaning"), _setting_rows(kind))
    if kind.phases:
        phases = ", ".join(f"`{p}` ({lo}-{hi} h)" for p, (lo, hi) in LESSON_PHASES.items())
        out += ["", f"Engineering hours by phase: instead of `engineering_hours`, a table "
                f"`[strategies.<name>.{PHASES_KEY}]` of phase = hours (any phase name of "
                f"letters, digits and `_`; each an input in {PHASE_FIELD.unit}, "
                f"{PHASE_FIELD.domain.text}); the total is their sum. The lesson's phases "
                f"and ranges: {phases}."]
    return [*out, ""]


def _values_section() -> list[str]:
    out = ["## Values", "", "Every input takes any of these forms. Probabilities follow the "
           "stated convention of each: `\"a to b\"` is a 90% interval, `{ p10, p90 }` an 80% "
           "one.", ""]
    rows = []
    for form in VALUE_FORMS:
        rows.append([f"`{form.syntax}`", form.meaning, f"`{form.example}`"])
    out += [*_table(("form", "meaning", "example"), rows), ""]
    keys = ", ".join(f"`{k}`" for k in FITTED_KEYS)
    out += ["### Fitted values", "", f"The price-decline keys ({keys}) may instead name the "
            "evidence: a fit to ftrisk's price history (`sim/data/price_history.csv`; "
            "`ftrisk prices --fit` shows the fits). The fit's subject, window, points and "
            "date go into the input's note, the run's manifest (`fitted_inputs`) and the "
            "report's inputs table. Options: " + ", ".join(f"`{o}`" for o in OPTIONS) + ".",
            ""]
    out += _table(("form", "meaning", "example"),
                  [[f"`{syntax}`", meaning, f"`{example}`"]
                   for syntax, meaning, example in FITTED_FORMS])
    return [*out, ""]


def study_file_reference() -> str:
    """The study-file reference as markdown (the text of ``docs/study-file.md``).

    Examples
    --------
    >>> text = study_file_reference()
    >>> text.startswith("# The study file")
    True
    >>> "`retrain_every_months`" in text
    True
    """
    kinds = ", ".join(f'`"{k}"`' for k in KINDS)
    out = [INTRO.rstrip("\n"), ""]
    out += ["## `[study]`", "", "Settings of the run (none is a distribution).", ""]
    out += _table(("key", "type", "default", "allowed", "meaning"),
                  _table_key_rows(STUDY_SETTINGS))
    out += ["", "## `[workload]`", "", "The traffic every strategy serves.", ""]
    out += _table(_INPUT_HEAD, _field_rows(WORKLOAD))
    out += ["", "Or, instead of `monthly_growth` (not both), `volume_process = { drift = ..., "
            "volatility = ... }`: monthly volume as a geometric random walk with drift, "
            "`V(t) = requests_per_day * exp(sum over k = 2..t of (drift - volatility^2 / 2 + "
            "volatility * Z_k)) * season(t)`, mean `requests_per_day * exp(drift * (t - 1)) "
            "* season(t)` (docs/model.md, \"Volume as a process\"). Its inputs:", ""]
    out += _table(_INPUT_HEAD, _field_rows(VOLUME_PROCESS))
    out += ["", "and optionally `seasonality` (12 numbers > 0: the multipliers of months 1..12 "
            "of the horizon, then again from month 13; divided by their mean) or `amplitude` "
            "(in [0, 1)) with `peak_month` (1..12): `season = 1 + amplitude * cos(2 pi * "
            "(month - peak_month) / 12)`.", ""]
    out += ["", f"And `hourly_profile` ({HOURLY_PROFILE.allowed}; "
            f"{'optional' if HOURLY_PROFILE.optional else 'required'}): "
            f"{HOURLY_PROFILE.help}.", ""]
    out += ["## `[strategies.<name>]`", "",
            f"One table per strategy; `kind` is one of {kinds}. A name starts with a letter "
            "and uses letters, digits, `_` or `-`. Every strategy is compared with the "
            "baseline on the same samples. A strategy with `standalone = false` is only a part "
            "of a routing strategy and is not compared on its own.", ""]
    for kind in KINDS.values():
        out += _kind_section(kind)
    out += ["## `[constraints]`", "", "Optional. A strategy that breaks a constraint is still "
            "simulated and shown, marked infeasible with the reason, but never recommended.",
            ""]
    out += _table(("key", "type", "default", "allowed", "meaning"),
                  _table_key_rows(CONSTRAINT_KEYS))
    out += ["", "The hours the cards that add work add (inputs: a number or a distribution; "
            "one draw per sample, the same for every strategy):", ""]
    defaults = {c.hours_key: c.hours_default for c in CARDS if c.hours_key}
    out += _table(_INPUT_HEAD, [
        [key, unit, f"`{_inline(defaults[key.strip('`')])}` when the card is on", domain, help_]
        for key, unit, _, domain, help_ in _field_rows(CARD_INPUTS)])
    out += ["", "The constraint cards (the calculator page's \"click any constraint\"; "
            "`ftrisk run` prints what each card that is on excluded or added, summary.json "
            "has `constraint_cards` and per strategy `excluded_by` / `added_by`):", ""]
    out += _table(("card", "the page asks", "on when", "effect", "what it does"),
                  [[f"`{c.key}`", c.question, f"`{c.on_when}`" if c.on_when in (
                      "true", "false") else c.on_when, c.effect, c.does] for c in CARDS])
    out += ["", "The page's card on MLOps (\"the silent cost\") is an input of every "
            "fine-tuned kind, `mlops_fte`, not a constraint."]
    away = ", ".join(f"`{k.name}`" for k in KINDS.values()
                     if not k.on_premises and not k.components)
    fixed = ", ".join(f"`{k.name}`" for k in KINDS.values() if not k.portable)
    out += ["", f"Kinds that send request data to a vendor: {away}; kinds not portable: "
            f"{fixed}. A routing strategy is judged by its two parts.", ""]
    out += ["## `[[correlations]]`", "", "Optional, repeatable: a rank correlation between two "
            "uncertain inputs. The matrix of all of them must be positive semi-definite.", ""]
    out += _table(("key", "type", "default", "allowed", "meaning"),
                  _table_key_rows(CORRELATION_KEYS))
    out += [""]
    out += _values_section()
    return "\n".join(out).rstrip("\n") + "\n"


def main() -> None:
    """Print the reference (``python -m sim.study.reference > docs/study-file.md``)."""
    sys.stdout.write(study_file_reference())


if __name__ == "__main__":
    main()
