"""Validating one ``[strategies.<name>]`` table: its kind, inputs, words and catalog references.

Separate from :mod:`sim.study` so that each file stays small; the public entry point is
:func:`sim.study.load_study`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from distributions import Distribution, DistributionError, Fixed, parse
from sim.study import catalog
from sim.study.errors import StudyError
from sim.study.fitted import fitted_input, is_fitted
from sim.study.hardware import load_profiles
from sim.study.kinds import KINDS, RETRAIN_POLICY, Kind, Setting
from sim.study.schema import (
    HOURS,
    INHERITED,
    LIFTED,
    PROCESS_KEY,
    PROJECT_KEYS,
    RETRAIN_SPLIT,
    VOLUME_PROCESS,
    WORKLOAD,
    Field,
)
from sim.study.serving import serving_settings
from sim.study.types import RESERVED, Input, Strategy

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
#: A table of engineering hours by phase, instead of engineering_hours (kinds with phases).
PHASES_KEY = "engineering_phases"
#: Each phase's hours.
PHASE_FIELD = Field(HOURS, None, "engineering hours of this phase", unit="hours")
#: The catalogs a setting's word is looked up in (``Setting.lookup``).
_CATALOG_LOOKUPS: dict[str, Callable[[str], Any]] = {
    "api": catalog.api_price, "gpu": catalog.gpu_price, "training": catalog.training_price}
#: Bytes per parameter of the weights for each quantization (bf16, int8, int4).
BYTES_PER_PARAM = {"none": 2.0, "int8": 1.0, "int4": 0.5}
#: What a quality_lift left at its default means, shown beside it in the inputs table.
NOT_PRICED = ("not priced: the baseline's review and error rates (give quality_lift, or "
              "review_rate and error_rate, to price a quality difference)")
#: The lesson's engineering phases and their hour ranges (seed 001).
LESSON_PHASES = {
    "data_collection": (20, 60), "data_formatting": (8, 16), "experiment_setup": (4, 8),
    "hyperparameter_search": (8, 16), "evaluation_framework": (8, 16),
    "evaluation_iteration": (16, 40), "deployment": (8, 24), "monitoring": (4, 8),
}


def unknown_keys(file: str, prefix: str, doc: Mapping[str, Any], valid: Iterable[str]) -> None:
    """Raise for the first key of ``doc`` not in ``valid``, suggesting the closest."""
    valid = list(valid)
    for key in doc:
        if key not in valid:
            close = get_close_matches(key, valid, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise StudyError(file, f"{prefix}{key}", f"unknown key; {hint}valid keys: "
                             f"{', '.join(valid)}")


def input_field(study: Any, path: str) -> Field | None:
    """The schema :class:`~sim.study.schema.Field` of an input path (None if unknown).

    Examples
    --------
    >>> input_field(None, "workload.requests_per_day").domain.hi
    1000000000000.0
    """
    parts = path.split(".")
    if parts[0] == "workload":
        if len(parts) == 3 and parts[1] == PROCESS_KEY:
            return VOLUME_PROCESS.get(parts[2])
        return WORKLOAD.get(parts[1])
    if len(parts) >= 4 and parts[2] == PHASES_KEY:
        return PHASE_FIELD
    strategy = study.strategies.get(parts[1]) if len(parts) == 3 else None
    return KINDS[strategy.kind].fields.get(parts[2]) if strategy else None


def parse_input(file: str, path: str, value: Any, spec: Field) -> Distribution:
    """A study value as a distribution that stays inside the input's physical domain."""
    try:
        dist = parse(value, name=path, base_dir=Path(file).parent)
    except DistributionError as err:
        raise StudyError(file, path, str(err).removeprefix(f"{path}: ")) from None
    problem = spec.domain.check(dist)
    if problem:
        raise StudyError(file, path, problem)
    return spec.domain.adapt(dist)


def read_input(file: str, path: str, value: Any, spec: Field) -> Input:
    """The input at ``path`` from its study value: a distribution, or a fitted value
    resolved from the price history (:mod:`sim.study.fitted`) with its source as the note."""
    if not is_fitted(value):
        return Input(path, parse_input(file, path, value, spec), False, spec.text,
                     unit=spec.unit)
    try:
        dist, source = fitted_input(path, value)
    except (ValueError, DistributionError) as err:
        raise StudyError(file, path, str(err)) from None
    problem = spec.domain.check(dist)
    if problem:
        raise StudyError(file, path, f"the fit gives {problem}")
    return Input(path, spec.domain.adapt(dist), False, spec.text, source.note, unit=spec.unit,
                 fit=source)


def make_inputs(file: str, prefix: str, doc: Mapping[str, Any], fields: Mapping[str, Field], *,
                skip: Iterable[str] = (), words: Mapping[str, Collection[str]] | None = None,
                supplied: Mapping[str, tuple[float, str]] | None = None) -> dict[str, Input]:
    """Inputs for ``fields`` from ``doc``; absent ones from ``supplied`` (catalog) or defaults.

    Keys holding one of their allowed ``words`` (e.g. ``instances = "auto"``) are skipped.
    """
    out = {}
    skip = set(skip)
    supplied = supplied or {}
    for key, spec in fields.items():
        if key in skip:
            continue
        path = f"{prefix}.{key}"
        if key not in doc:
            if key in supplied:
                value, note = supplied[key]
                out[key] = Input(path, parse_input(file, path, value, spec), False, spec.text,
                                 note, spec.unit)
            elif spec.required:
                raise StudyError(file, path, f"missing; give {spec.text} ({spec.domain.text})")
            elif spec.default is not None:
                out[key] = Input(path, Fixed(spec.default), True, spec.text, unit=spec.unit)
            continue
        value = doc[key]
        if words and key in words and isinstance(value, str) and value in words[key]:
            continue
        out[key] = read_input(file, path, value, spec)
    return out


def _kind(file: str, prefix: str, doc: Mapping[str, Any]) -> Kind:
    name = doc.get("kind")
    if name is None:
        raise StudyError(file, f"{prefix}.kind", f"missing; one of {', '.join(KINDS)}")
    if not isinstance(name, str) or name not in KINDS:
        raise StudyError(file, f"{prefix}.kind", f"{name!r} is not a strategy kind; use one of "
                         f"{', '.join(KINDS)}")
    return KINDS[name]


def _settings(file: str, prefix: str, doc: Mapping[str, Any], kind: Kind,
              strategies: Mapping[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for key, allowed in kind.alternatives.items():
        value = doc.get(key)
        if isinstance(value, str):
            if value not in allowed:
                raise StudyError(file, f"{prefix}.{key}", f"'{value}' is not allowed; give a "
                                 f"number or one of {', '.join(allowed)}")
            options[key] = value
    for key, setting in kind.settings.items():
        if key not in doc:
            if setting.required:
                raise StudyError(file, f"{prefix}.{key}", f"missing; {setting.help}")
            if setting.default is not None:
                options[key] = setting.default
            continue
        options[key] = _setting(file, f"{prefix}.{key}", doc[key], setting, strategies)
    return options


def _setting(file: str, path: str, value: Any, setting: Setting,
             strategies: Mapping[str, Any]) -> Any:
    if setting.choices:
        if value not in setting.choices or isinstance(value, bool) != isinstance(
                setting.choices[0], bool):
            shown = ", ".join(str(c).lower() if isinstance(c, bool) else f'"{c}"'
                              for c in setting.choices)
            raise StudyError(file, path, f"{value!r} is not allowed; use one of {shown}")
        return value
    if not isinstance(value, str):
        raise StudyError(file, path, f"{value!r} must be a name (a string)")
    if not value.strip():
        raise StudyError(file, path, "is empty; give a name, or remove the key")
    if setting.lookup == "strategy" and value not in strategies:
        raise StudyError(file, path, f"'{value}' is not a strategy of this study; use one of "
                         f"{', '.join(strategies)}")
    if setting.lookup == "hardware" and value not in load_profiles():
        raise StudyError(file, path, f"'{value}' is not a hardware profile; use one of "
                         f"{', '.join(sorted(load_profiles()))}")
    find = _CATALOG_LOOKUPS.get(setting.lookup)
    if find is not None:
        try:
            find(value)
        except KeyError as err:
            raise StudyError(file, path, str(err.args[0])) from None
    return value


def catalog_values(kind: Kind, options: Mapping[str, Any]) -> dict[str, tuple[float, str]]:
    """Input values a strategy takes from the price catalog, with a provenance note."""
    out: dict[str, tuple[float, str]] = {}
    if "model" in options:
        p = catalog.api_price(options["model"])
        note = f"catalog {p.model}: {catalog.describe_source(p)}"
        out.update(input_price=(p.input, note), output_price=(p.output, note),
                   cached_price_factor=(p.cached_factor, note),
                   batch_discount=(p.batch_discount, note))
    if "gpu" in options:
        g = catalog.gpu_price(options["gpu"])
        out["gpu_hourly"] = (g.on_demand_hourly,
                             f"catalog {g.gpu} on demand: {g.source}, checked {g.checked}")
    if options.get("quantization", "none") != "none" and "bytes_per_param" in kind.fields:
        q = options["quantization"]
        out["bytes_per_param"] = (BYTES_PER_PARAM[q], f"default for quantization = \"{q}\"")
    if "training_provider" in options:
        t = catalog.training_price(options["training_provider"])
        out["training_price_per_1m"] = (t.price_per_1m, f"catalog {t.provider}: {t.source}, "
                                        f"checked {t.checked}")
    return out


def _phases(file: str, prefix: str, doc: Mapping[str, Any]) -> dict[str, Input]:
    table = doc.get(PHASES_KEY)
    where = f"{prefix}.{PHASES_KEY}"
    if table is None:
        return {}
    if "engineering_hours" in doc:
        raise StudyError(file, where, "give engineering_hours or engineering_phases, not both")
    if not isinstance(table, dict) or not table:
        raise StudyError(file, where, "must be a table of phase = hours, e.g. "
                         "data_collection = { pert = [20, 40, 60] }")
    spec = PHASE_FIELD
    out = {}
    for phase, value in table.items():
        if not set(phase) <= _NAME_CHARS:
            raise StudyError(file, f"{where}.{phase}", "phase names use letters, digits and _")
        key = f"{PHASES_KEY}.{phase}"
        lo_hi = LESSON_PHASES.get(phase)
        hint = f" (lesson: {lo_hi[0]}-{lo_hi[1]} h)" if lo_hi else ""
        out[key] = Input(f"{prefix}.{key}", parse_input(file, f"{where}.{phase}", value, spec),
                         False, f"engineering hours: {phase.replace('_', ' ')}{hint} "
                         f"[{spec.unit}]", unit=spec.unit)
    return out


def load_strategy(file: str, name: str, doc: Any, *, baseline: bool,
                  strategies: Mapping[str, Any]) -> Strategy:
    """Validate ``[strategies.<name>]`` and return the :class:`Strategy`."""
    prefix = f"strategies.{name}"
    _check_name(file, prefix, name, doc)
    kind = _kind(file, prefix, doc)
    project = (set(PROJECT_KEYS) | {PHASES_KEY}) & (set(kind.fields) | {PHASES_KEY})
    if kind.components and baseline:
        raise StudyError(file, prefix, f"a {kind.name} strategy cannot be the baseline; make "
                         "one of its parts the baseline")
    for key in doc:
        if baseline and (key in project or key == RETRAIN_POLICY):
            raise StudyError(file, f"{prefix}.{key}", "the baseline is what runs today and has "
                             "no project; remove it (or make another strategy the baseline)")
        if baseline and key == "quality_lift":
            raise StudyError(file, f"{prefix}.{key}", "quality_lift is relative to the "
                             "baseline's review and error rates; remove it here and give "
                             "review_rate and error_rate (or state the lift on the other "
                             "strategies)")
    valid = ["kind", *kind.fields, *kind.settings]
    if kind.phases:
        valid.append(PHASES_KEY)
    unknown_keys(file, f"{prefix}.", doc, valid)
    options = _settings(file, prefix, doc, kind, strategies)
    for key, cond_key, cond_value in kind.conditional:
        active = cond_key in doc if cond_value == "*" else options.get(cond_key) == cond_value
        if active and key not in doc:
            when = f"{cond_key} is given" if cond_value == "*" else f'{cond_key} = "{cond_value}"'
            raise StudyError(file, f"{prefix}.{key}", f"missing; required when {when} "
                             f"({kind.fields[key].text})")
    _check_combinations(file, prefix, doc, kind)
    phases = {} if baseline else _phases(file, prefix, doc)
    skip = _skipped(doc, kind, project, baseline=baseline, phases=bool(phases))
    inputs = make_inputs(file, prefix, doc, kind.fields, skip=skip, words=kind.alternatives,
                         supplied=catalog_values(kind, options))
    inputs.update(phases)
    lift = inputs.get("quality_lift")
    if lift is not None and lift.is_default:
        inputs["quality_lift"] = Input(lift.path, lift.dist, True, lift.help, NOT_PRICED)
    if kind.components:
        _check_routing(file, prefix, name, kind, options, strategies)
    if options.get("standalone") is False:
        _check_component(file, prefix, name, strategies, baseline=baseline)
    serving = serving_settings(file, prefix, inputs, options) if kind.gpu_serving else None
    return Strategy(name, kind.name, inputs, options, baseline, serving)


def _check_combinations(file: str, prefix: str, doc: Mapping[str, Any], kind: Kind) -> None:
    """Keys that exclude each other, and keys that need another key."""
    for key, others, why in kind.exclusive:
        for other in others:
            if key in doc and other in doc:
                raise StudyError(file, f"{prefix}.{key}", f"conflicts with {prefix}.{other}: "
                                 f"{why}")
    for key, needed, why in kind.requires:
        if key in doc and needed not in doc:
            raise StudyError(file, f"{prefix}.{key}", f"needs {prefix}.{needed} ({why}); "
                             f"add it or remove {key}")


def _skipped(doc: Mapping[str, Any], kind: Kind, project: set[str], *, baseline: bool,
             phases: bool) -> set[str]:
    """Fields that get no input: the baseline's project keys and quality_lift, the keys a
    non-baseline strategy takes from the baseline (review and error rates and costs), and
    quality_lift when a rate is given (absolute), and the split retraining keys when the
    legacy retrain_cost_fraction is given."""
    if baseline:
        return set(project) | {"quality_lift"}
    skip = {"engineering_hours"} if phases else set()
    skip |= {k for k in INHERITED if k in kind.fields and k not in doc}
    if any(k in doc for k in LIFTED):
        skip.add("quality_lift")  # absolute rates: the lift does not apply
    if "retrain_cost_fraction" in doc:
        skip |= set(RETRAIN_SPLIT)
    return skip


def _check_name(file: str, prefix: str, name: str, doc: Any) -> None:
    if not name or not set(name) <= _NAME_CHARS or not name[0].isalpha():
        raise StudyError(file, prefix, "strategy names start with a letter and use letters, "
                         "digits, '_' or '-'")
    if name in RESERVED:
        raise StudyError(file, prefix, f"'{name}' is reserved (a key of summary.json); rename "
                         "the strategy")
    if not isinstance(doc, dict):
        raise StudyError(file, prefix, f"must be a table ([{prefix}])")


def _components_of(doc: Any) -> tuple[str, ...]:
    """The strategies a raw strategy table is made of (empty for a plain strategy)."""
    name = doc.get("kind") if isinstance(doc, dict) else None
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        return ()
    return tuple(doc.get(key) for key in kind.components)


def _check_component(file: str, prefix: str, name: str, strategies: Mapping[str, Any], *,
                     baseline: bool) -> None:
    users = [n for n, d in strategies.items() if name in _components_of(d)]
    if baseline:
        raise StudyError(file, f"{prefix}.standalone", "the baseline is always compared; "
                         "remove standalone = false")
    if not users:
        raise StudyError(file, f"{prefix}.standalone", "no routing strategy uses it; "
                         "remove standalone = false or add a routing strategy")


def _check_routing(file: str, prefix: str, name: str, kind: Kind, options: Mapping[str, Any],
                   strategies: Mapping[str, Any]) -> None:
    for key in kind.components:
        target = options[key]
        if target == name:
            raise StudyError(file, f"{prefix}.{key}", "a routing strategy cannot route to itself")
        if _components_of(strategies[target]):
            raise StudyError(file, f"{prefix}.{key}", f"'{target}' is itself a routing "
                             "strategy; route between non-routing strategies")
    first, second = (options[key] for key in kind.components)
    if first == second:
        raise StudyError(file, f"{prefix}.{kind.components[1]}",
                         f"{' and '.join(kind.components)} must differ")
