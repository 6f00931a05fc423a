"""Study files: TOML in, a validated :class:`Study` out (every key: docs/study-file.md).

Every problem becomes a :class:`~sim.study.errors.StudyError` naming the file, the key and the
fix; nothing is evaluated, and unknown keys are errors (with a suggestion), never ignored.
"""

from __future__ import annotations

import hashlib
import math
import stat
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from distributions import METHODS, DistributionError, check_correlation
from sim.study.card_inputs import card_inputs
from sim.study.cards import CARDS
from sim.study.errors import StudyError
from sim.study.memory import check_memory
from sim.study.schema import (
    HOURS,
    LATENCY_MS,
    PROCESS_KEY,
    WORKLOAD,
    Field,
    growth_problem,
    top,
)
from sim.study.strategy import load_strategy, make_inputs, unknown_keys
from sim.study.types import (
    CRITERIA,
    CRITERION_LABELS,
    Constraints,
    Correlation,
    Input,
    Study,
    full_path,
)
from sim.study.volume_process import read_volume_process

__all__ = [
    "CARD_INPUTS",
    "CONSTRAINT_KEYS",
    "CORRELATION_KEYS",
    "HOURLY_PROFILE",
    "STUDY_SETTINGS",
    "TableKey",
    "apply_overrides",
    "load_study",
    "study_from_dict",
]


@dataclass(frozen=True)
class TableKey:
    """A key of the ``[study]``, ``[constraints]`` or ``[[correlations]]`` tables: a word, a
    flag, a number or a list, never a distribution.

    Examples
    --------
    >>> STUDY_SETTINGS["horizon_months"].default
    36
    """

    types: type | tuple[type, ...]
    #: None: required, or (``optional``) absent means "no such requirement"
    default: Any
    help: str
    #: the values allowed, in words
    allowed: str
    optional: bool = False


MAX_HORIZON_MONTHS = 600
MAX_SAMPLES = 10**9

#: The ``[study]`` table.
STUDY_SETTINGS: dict[str, TableKey] = {
    "name": TableKey(str, None, "title on the terminal and in the report",
                     "text; default: the file name without .toml", optional=True),
    "source": TableKey(str, "", "where the numbers come from (shown in the report)", "text"),
    "source_figure": TableKey(str, "", "what the source says, as its point figure (e.g. "
                              "\"payback ~6 months, plus a 20%+ accuracy lift\"), shown beside "
                              "the distribution and in summary.json", "text"),
    "description": TableKey(str, "", "a paragraph shown under the report's title", "text"),
    "horizon_months": TableKey(int, 36, "months simulated (H)",
                               f"a whole number, 1 to {MAX_HORIZON_MONTHS}"),
    "samples": TableKey(int, 10_000, "Monte Carlo samples (--samples overrides it)",
                        "a whole number, 1 to 10^9"),
    "seed": TableKey(int, 0, "seed of every random draw: the same study and seed give the "
                     "same results", "a whole number, 0 to 2^63 - 1"),
    "sampling": TableKey(str, "mc", "sampling plan: Monte Carlo, Latin hypercube or scrambled "
                         "Sobol'", ", ".join(f'"{m}"' for m in METHODS)),
    "discount_rate": TableKey((int, float), 0.10, "annual discount rate of the NPV",
                              "a number in [0, 1] (0.10: 10% a year)"),
    "baseline": TableKey(str, None, "the strategy every other one is compared with (what runs "
                         "today)", "the name of a strategy of the study"),
    "payback_within": TableKey(list, [6, 12, 24], "months N reported as P(payback <= N); the "
                               "headline N is 12 when listed, else the largest",
                               "a list of whole months, 1 to horizon_months"),
    "criterion": TableKey(str, "npv", "how the recommended strategy is picked",
                          ", ".join(f'"{c}" ({CRITERION_LABELS[c].format(n="N")})'
                                    for c in CRITERIA)),
}

#: The ``[constraints]`` table (optional): strategies that break one are never recommended.
CONSTRAINT_KEYS: dict[str, TableKey] = {
    "data_on_premises": TableKey(bool, False, "request data may not leave the company: a "
                                 "strategy that sends it to a vendor is infeasible",
                                 "true or false"),
    "p99_latency_ms": TableKey((int, float), None, "the p99 latency every strategy must meet: "
                               "its p99_latency_ms, or for one serving on its own GPUs without "
                               "it, the serving simulation's", "milliseconds > 0, at most "
                               "8.64e+07 (a day); absent: no latency constraint",
                               optional=True),
    "latency_metric": TableKey(str, "e2e", "the latency p99_latency_ms bounds",
                               '"e2e" (end to end) or "ttft" (time to first token)'),
    "vendor_portability": TableKey(bool, False, "the model must move to another vendor without "
                                   "retraining: a vendor-hosted fine-tune is infeasible",
                                   "true or false"),
    **{c.key: TableKey(bool, c.default, f"{c.question} Set to {c.on_when}: {c.does}",
                       "true or false")
       for c in CARDS if c.key in ("ml_sre_capacity", "eval_harness",
                                   "data_provenance_documented", "vendor_no_train_terms")},
}

#: The inputs of the constraint cards that add work: the hours each adds (a study value).
CARD_INPUTS: dict[str, Field] = {
    c.hours_key: Field(HOURS, None, f"hours of {c.work} the card {c.key} = {c.on_when} adds "
                       f"to each fine-tuned strategy's project (default: {c.hours_source})",
                       optional=True, unit="hours")
    for c in CARDS if c.hours_key is not None
}

#: Each ``[[correlations]]`` entry.
CORRELATION_KEYS: dict[str, TableKey] = {
    "between": TableKey(list, None, "two uncertain inputs: workload.<key> or <strategy>.<key> "
                        "(strategies.<strategy>.<key> also works)",
                        "a list of two input names"),
    "rank": TableKey((int, float), None, "their Spearman rank correlation, induced by "
                     "Iman-Conover", "a number in [-1, 1]"),
}

#: ``workload.hourly_profile``: the one workload key that is not an input.
HOURLY_PROFILE = TableKey(list, None, "the traffic of each hour of the day from 00:00, any "
                          "scale (serving simulation); default: a diurnal profile with the "
                          "workload's peak_to_average", "24 numbers >= 0, not all 0",
                          optional=True)


# -- loading ----------------------------------------------------------------------------


def load_study(path: str | Path, *, overrides: Sequence[str] = ()) -> Study:
    """Read, validate and return the study in ``path``.

    Parameters
    ----------
    path : str or Path
        A TOML study file.
    overrides : sequence of str
        ``dotted.key=value`` settings applied before validation (``--set``); the value is
        read as TOML, or as a string when it is not valid TOML.

    Returns
    -------
    Study

    Raises
    ------
    StudyError
        For a missing or unreadable file, invalid TOML, an unknown key, a value outside its
        domain or an impossible distribution; the message names the file, key and fix.

    Examples
    --------
    >>> study = load_study("studies/lesson_parity.toml")  # doctest: +SKIP
    >>> study.baseline  # doctest: +SKIP
    'frontier'
    """
    p = Path(path)
    name = str(path)
    raw = read_study_bytes(p, name)
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise StudyError(name, "", "is not UTF-8 text; save it as UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as err:
        raise StudyError(name, "", f"is not valid TOML ({err}); fix the syntax") from None
    except RecursionError:
        raise StudyError(name, "", "nests tables or arrays too deeply to read; a study "
                         "needs a few levels, e.g. key = { lognormal = { p10 = 1, p90 = 2 } }"
                         ) from None
    if "portfolio" in doc and "study" not in doc:
        raise StudyError(name, "portfolio", "this is a portfolio file, not a study; run it "
                         f"with `ftrisk portfolio {name}`")
    apply_overrides(doc, overrides, file=name)
    return study_from_dict(doc, file=name, sha256=hashlib.sha256(raw).hexdigest(),
                           default_name=p.stem)


#: Largest study file: real ones are a few kB; a bigger file is not a study.
MAX_STUDY_BYTES = 16 << 20


def read_study_bytes(p: Path, name: str) -> bytes:
    """The bytes of a study file, after checking (without opening it) that it is a regular,
    readable file of reasonable size: a FIFO, a device or a folder is refused at once
    instead of blocking or failing half-way."""
    fix = "give the path of a .toml study file"
    try:
        st = p.stat()
    except FileNotFoundError:
        raise StudyError(name, "", "file not found; check the path") from None
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the path
        reason = getattr(err, "strerror", None) or str(err)
        raise StudyError(name, "", f"cannot be read ({reason}); {fix}") from None
    if stat.S_ISDIR(st.st_mode):
        raise StudyError(name, "", "is a folder, not a study file; give a .toml file")
    if not stat.S_ISREG(st.st_mode):
        raise StudyError(name, "", f"is not a regular file (a pipe, socket or device); {fix}")
    if st.st_size > MAX_STUDY_BYTES:
        raise StudyError(name, "", f"is {st.st_size:,} bytes, over the "
                         f"{MAX_STUDY_BYTES >> 20} MiB a study file may have; {fix}")
    try:
        return p.read_bytes()
    except PermissionError:
        raise StudyError(name, "", "cannot be read (permission denied); make it readable "
                         f"(chmod u+r {name}) or copy it") from None
    except OSError as err:
        raise StudyError(name, "", f"cannot be read ({err.strerror}); {fix}") from None


def _override_value(file: str, key: str, text: str) -> Any:
    """The one TOML value of ``--set key=text`` (a bare word is a string)."""
    try:
        parsed = tomllib.loads(f"v = {text}")
    except RecursionError:
        raise StudyError(file, f"--set {key}", "nests tables or arrays too deeply") from None
    except tomllib.TOMLDecodeError:
        word = text.strip()
        if not word or not word.isprintable():
            raise StudyError(file, f"--set {key}", "the value must be one TOML value on one "
                             'line, e.g. 1.2, "gpt-4o" or { uniform = [1, 2] }') from None
        return word
    if list(parsed) != ["v"]:
        raise StudyError(file, f"--set {key}", "takes exactly one TOML value (this one "
                         "holds more: a new line, table or key); set one key per --set, "
                         'e.g. --set strategies.x.gpu_hourly=1.2')
    return parsed["v"]


def apply_overrides(doc: dict[str, Any], overrides: Iterable[str], *, file: str) -> None:
    """Apply ``dotted.key=value`` settings to a parsed study document in place.

    Each value is exactly one TOML value (a number, string, array or inline table); a bare
    word that is not TOML is taken as a string (``model=gpt-4o``).
    """
    for item in overrides:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise StudyError(file, "--set", f"'{item}' must look like dotted.key=value")
        value = _override_value(file, key, text)
        parts = key.split(".")
        node: Any = doc
        for depth, part in enumerate(parts[:-1]):
            if not isinstance(node, dict) or part not in node:
                where = ".".join(parts[: depth + 1])
                raise StudyError(file, f"--set {key}", f"the study has no table '{where}'")
            node = node[part]
        if not isinstance(node, dict):
            raise StudyError(file, f"--set {key}", "does not name a key inside a table")
        node[parts[-1]] = value


#: TOML integers are 64-bit (the specification asks readers to refuse larger ones).
_INT_LIMIT = 2**63


def _check_integers(file: str, doc: Mapping[str, Any]) -> None:
    """Refuse integers beyond 64 bits anywhere in the document (no float holds 10**400)."""
    stack: list[tuple[str, Any]] = [("", doc)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, Mapping):
            stack += [(f"{path}.{k}" if path else str(k), v) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(f"{path}[{i}]", v) for i, v in enumerate(node)]
        elif isinstance(node, int) and not -_INT_LIMIT <= node < _INT_LIMIT:
            raise StudyError(file, path, "an integer beyond 64 bits; write it as a float "
                             "(e.g. 1e30) if you mean it, or check the number")


def study_from_dict(doc: Mapping[str, Any], *, file: str = "<study>", sha256: str = "",
                    default_name: str = "study") -> Study:
    """Validate a parsed study document (see :func:`load_study`)."""
    _check_integers(file, doc)
    unknown_keys(file, "", doc, ("study", "workload", "strategies", "correlations",
                                 "constraints"))
    settings = _table(file, "study", doc.get("study", {}))
    workload_doc = _table(file, "workload", doc.get("workload"), required=True)
    strategies_doc = _table(file, "strategies", doc.get("strategies"), required=True)
    if not strategies_doc:
        raise StudyError(file, "strategies", "no strategies; add at least [strategies.<name>]")

    baseline = settings.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise StudyError(file, "study.baseline", f"{baseline!r} must be a strategy name (a "
                         f"string), one of {', '.join(map(str, strategies_doc))}")
    if baseline is None:
        raise StudyError(file, "study.baseline", "missing; name the strategy every other one "
                         f"is compared with (one of {', '.join(strategies_doc)})")
    if baseline not in strategies_doc:
        raise StudyError(file, "study.baseline", f"'{baseline}' is not a strategy; use one of "
                         f"{', '.join(strategies_doc)}")

    unknown_keys(file, "workload.", workload_doc, [*WORKLOAD, "hourly_profile", PROCESS_KEY])
    profile = _hourly_profile(file, workload_doc.get("hourly_profile"))
    workload = make_inputs(file, "workload", workload_doc, WORKLOAD,
                           skip=[PROCESS_KEY])
    strategies = {}
    for sname, sdoc in strategies_doc.items():
        strategies[sname] = load_strategy(file, sname, sdoc, baseline=(sname == baseline),
                                          strategies=strategies_doc)
    s, defaults = _settings(file, settings, default_name)
    growth = growth_problem(top(workload["monthly_growth"].dist), s["horizon_months"])
    if growth:
        raise StudyError(file, "workload.monthly_growth", growth)
    process = read_volume_process(file, workload_doc, s["horizon_months"])
    constraints = _constraints(file, doc.get("constraints", {}))
    extra, additions = card_inputs(file, doc.get("constraints", {}), constraints, strategies,
                                   CARD_INPUTS)
    study = Study(workload=workload, strategies=strategies, correlations=(), file=file,
                  sha256=sha256, defaults=defaults, baseline=baseline, constraints=constraints,
                  hourly_profile=profile, card_inputs=extra, card_additions=additions,
                  volume_process=process, **s)
    correlations = _correlations(file, doc.get("correlations", []), study)
    study = study.replace(correlations=correlations)
    context = float(workload["input_tokens"].dist.median + workload["output_tokens"].dist.median)
    for strategy in strategies.values():
        if strategy.kind_spec.gpu_serving:
            check_memory(file, strategy, context)
    return study


# -- sections ---------------------------------------------------------------------------


def _table(file: str, key: str, value: Any, *, required: bool = False) -> dict[str, Any]:
    if value is None:
        if required:
            raise StudyError(file, key, f"missing; add a [{key}] table")
        return {}
    if not isinstance(value, dict):
        raise StudyError(file, key, f"must be a table ([{key}]), not {type(value).__name__}")
    return value


def _settings(file: str, doc: Mapping[str, Any],
              default_name: str) -> tuple[dict[str, Any], frozenset[str]]:
    unknown_keys(file, "study.", doc, STUDY_SETTINGS)
    out: dict[str, Any] = {}
    defaults = set()
    for key, spec in STUDY_SETTINGS.items():
        kind, default = spec.types, spec.default
        if key == "baseline":
            continue
        if key not in doc:
            defaults.add(key)
            out[key] = default_name if key == "name" else default
            continue
        value = doc[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            names: dict[Any, str] = {str: "a string", int: "a whole number", list: "a list"}
            want = names.get(kind, "a number")
            raise StudyError(file, f"study.{key}", f"{value!r} must be {want}")
        out[key] = value
    where = "study."
    if not 1 <= out["horizon_months"] <= MAX_HORIZON_MONTHS:
        raise StudyError(file, f"{where}horizon_months", f"{out['horizon_months']} must be "
                         f"between 1 and {MAX_HORIZON_MONTHS} months")
    if not 1 <= out["samples"] <= MAX_SAMPLES:
        raise StudyError(file, f"{where}samples", f"{out['samples']} must be between 1 and 10^9")
    if not 0 <= out["seed"] <= 2**63 - 1:
        raise StudyError(file, f"{where}seed", f"{out['seed']} must be a whole number from 0 "
                         "to 2^63 - 1")
    if out["sampling"] not in METHODS:
        raise StudyError(file, f"{where}sampling", f"'{out['sampling']}' is not a sampling "
                         f"method; use one of {', '.join(METHODS)}")
    if out["criterion"] not in CRITERIA:
        raise StudyError(file, f"{where}criterion", f"'{out['criterion']}' is not a criterion; "
                         f"use one of {', '.join(CRITERIA)}")
    r = out["discount_rate"]
    if not (math.isfinite(r) and 0 <= r <= 1):
        raise StudyError(file, f"{where}discount_rate",
                         f"{r} must be an annual rate in [0, 1], e.g. 0.10 for 10%")
    out["discount_rate"] = float(r)
    months = out["payback_within"]
    if (not months or not all(isinstance(m, int) and not isinstance(m, bool) for m in months)
            or not all(1 <= m <= out["horizon_months"] for m in months)):
        raise StudyError(file, f"{where}payback_within", f"{months!r} must be a list of whole "
                         f"months between 1 and horizon_months={out['horizon_months']}")
    out["payback_within"] = tuple(sorted(set(months)))
    return out, frozenset(defaults)


def _hourly_profile(file: str, value: Any) -> tuple[float, ...] | None:
    if value is None:
        return None
    key = "workload.hourly_profile"
    if (not isinstance(value, list) or len(value) != 24
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
        raise StudyError(file, key, "must be 24 numbers, the traffic of each hour from 00:00 "
                         "(any scale), e.g. [1, 1, 1, 1, 1, 1, 2, 4, ...]")
    if min(value) < 0 or sum(value) <= 0 or not all(math.isfinite(v) for v in value):
        raise StudyError(file, key, "weights must be finite, >= 0 and not all 0")
    return tuple(float(v) for v in value)


def _constraints(file: str, doc: Any) -> Constraints:
    if not isinstance(doc, dict):
        raise StudyError(file, "constraints", "must be a table ([constraints])")
    unknown_keys(file, "constraints.", doc, [*CONSTRAINT_KEYS, *CARD_INPUTS])
    metric = doc.get("latency_metric", CONSTRAINT_KEYS["latency_metric"].default)
    if metric not in ("e2e", "ttft"):
        raise StudyError(file, "constraints.latency_metric",
                         f"{metric!r} must be \"e2e\" (end to end) or \"ttft\" (first token)")
    flags = [k for k, spec in CONSTRAINT_KEYS.items() if spec.types is bool]
    for key in flags:
        if key in doc and not isinstance(doc[key], bool):
            raise StudyError(file, f"constraints.{key}", f"{doc[key]!r} must be true or false")
    latency = doc.get("p99_latency_ms")
    if latency is not None and (isinstance(latency, bool) or not isinstance(latency, int | float)
                                or not LATENCY_MS.contains(latency, latency)):
        raise StudyError(file, "constraints.p99_latency_ms",
                         f"{latency!r} must be a number of milliseconds > 0, at most "
                         f"{LATENCY_MS.hi:.3g} ({LATENCY_MS.why})")
    cards = {k: bool(doc.get(k, CONSTRAINT_KEYS[k].default)) for k in flags
             if k not in ("data_on_premises", "vendor_portability")}
    return Constraints(bool(doc.get("data_on_premises", False)),
                       None if latency is None else float(latency),
                       bool(doc.get("vendor_portability", False)), metric, **cards)


def _pair(file: str, where: str, item: Any, study: Study,
          known: Mapping[str, Input]) -> Correlation:
    if not isinstance(item, dict):
        raise StudyError(file, where, "must be a table with 'between' and 'rank'")
    unknown_keys(file, f"{where}.", item, CORRELATION_KEYS)
    between, rank = item.get("between"), item.get("rank")
    if (not isinstance(between, list) or len(between) != 2
            or not all(isinstance(b, str) for b in between)):
        raise StudyError(file, f"{where}.between", 'must name two inputs, e.g. ["workload.'
                         'requests_per_day", "frontier.annual_price_drop"]')
    if isinstance(rank, bool) or not isinstance(rank, int | float) or not -1 <= rank <= 1:
        raise StudyError(file, f"{where}.rank", f"{rank!r} must be a number in [-1, 1]")
    paths = [full_path(b, study.strategies) for b in between]
    for given, p in zip(between, paths, strict=True):
        if p not in known:
            close = get_close_matches(p, list(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise StudyError(file, f"{where}.between", f"'{given}' is not an input{hint}")
        if not known[p].uncertain:
            raise StudyError(file, f"{where}.between", f"'{given}' is fixed; only uncertain "
                             "inputs can be correlated")
    if paths[0] == paths[1]:
        raise StudyError(file, f"{where}.between", "names the same input twice")
    return Correlation(paths[0], paths[1], float(rank))


def _correlations(file: str, items: Any, study: Study) -> tuple[Correlation, ...]:
    if not isinstance(items, list):
        raise StudyError(file, "correlations", "must be an array of tables ([[correlations]])")
    known = {i.path: i for i in study.inputs()}
    out: list[Correlation] = []
    seen: set[frozenset[str]] = set()
    for n, item in enumerate(items, start=1):
        corr = _pair(file, f"correlations[{n}]", item, study, known)
        pair = frozenset((corr.a, corr.b))
        if pair in seen:
            raise StudyError(file, f"correlations[{n}].between",
                             "this pair is already correlated above")
        seen.add(pair)
        out.append(corr)
    result = tuple(out)
    if result:
        names = [i.path for i in study.uncertain_inputs()]
        matrix = study.replace(correlations=result).rank_correlation()
        assert matrix is not None
        try:
            check_correlation(matrix, names)
        except DistributionError as err:
            raise StudyError(file, "correlations", str(err)) from None
    return result
