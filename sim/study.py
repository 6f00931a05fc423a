"""Study files: TOML in, a validated :class:`Study` out (SPEC §10).

Every problem becomes a :class:`~sim.errors.StudyError` naming the file, the key and the
fix; nothing is evaluated, and unknown keys are errors (with a suggestion), never ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import numpy as np

from distributions import (
    METHODS,
    Distribution,
    DistributionError,
    Fixed,
    check_correlation,
    parse,
)
from sim.costs.kinds import KINDS
from sim.errors import StudyError
from sim.schema import PROJECT_KEYS, WORKLOAD, Field

CRITERIA = ("npv", "payback")
#: Top-level keys of summary.json; a strategy may not take one of these names.
RESERVED = frozenset({"study", "baseline", "samples", "seed", "sampling", "horizon_months",
                      "discount_rate", "criterion", "recommended", "answer", "strategies"})
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Input:
    """A named quantity of the study: fixed or uncertain.

    Attributes
    ----------
    path : str
        Dotted study path, e.g. ``strategies.self_hosted_7b.gpu_hourly``.
    dist : Distribution
        Its distribution (a :class:`~distributions.Fixed` point mass when known).
    is_default : bool
        True when the study left it at its default.
    help : str
        What the quantity is.
    """

    path: str
    dist: Distribution
    is_default: bool
    help: str

    @property
    def uncertain(self) -> bool:
        """True unless the value is known exactly."""
        return not self.dist.is_fixed

    @property
    def key(self) -> str:
        """The last part of the path."""
        return self.path.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Strategy:
    """One way to serve the workload."""

    name: str
    kind: str
    inputs: dict[str, Input]
    options: dict[str, str]
    is_baseline: bool


@dataclass(frozen=True)
class Correlation:
    """A stated rank correlation between two uncertain inputs."""

    a: str
    b: str
    rank: float


@dataclass(frozen=True)
class Study:
    """A validated study: settings, workload, strategies, correlations.

    Build one with :func:`load_study` (from a file) or :func:`study_from_dict`.
    """

    name: str
    source: str
    description: str
    horizon_months: int
    samples: int
    seed: int
    sampling: str
    discount_rate: float
    baseline: str
    payback_within: tuple[int, ...]
    criterion: str
    workload: dict[str, Input]
    strategies: dict[str, Strategy]
    correlations: tuple[Correlation, ...] = ()
    file: str = "<study>"
    sha256: str = ""
    defaults: frozenset[str] = field(default_factory=frozenset)

    def inputs(self) -> list[Input]:
        """Every input: the workload's, then each strategy's, in schema order."""
        out = list(self.workload.values())
        for s in self.strategies.values():
            out.extend(s.inputs.values())
        return out

    def uncertain_inputs(self) -> list[Input]:
        """The inputs that are sampled (not fixed)."""
        return [i for i in self.inputs() if i.uncertain]

    def input(self, path: str) -> Input:
        """Look up an input by its path (``strategies.x.key``, ``x.key`` or ``workload.key``)."""
        full = _full_path(path, self.strategies)
        for i in self.inputs():
            if i.path == full:
                return i
        raise KeyError(path)

    def rank_correlation(self) -> np.ndarray | None:
        """Target rank-correlation matrix over :meth:`uncertain_inputs` (None if none stated)."""
        if not self.correlations:
            return None
        names = [i.path for i in self.uncertain_inputs()]
        c = np.eye(len(names))
        for corr in self.correlations:
            i, j = names.index(corr.a), names.index(corr.b)
            c[i, j] = c[j, i] = corr.rank
        return c

    @property
    def primary_months(self) -> int:
        """The N of the headline P(payback <= N): 12 when asked for, else the largest."""
        return 12 if 12 in self.payback_within else max(self.payback_within)

    def replace(self, **changes: Any) -> Study:
        """A copy with some settings changed (e.g. ``samples``, ``seed``, ``sampling``)."""
        return dataclasses.replace(self, **changes)


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
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise StudyError(name, "", "file not found; check the path") from None
    except IsADirectoryError:
        raise StudyError(name, "", "is a folder, not a study file; give a .toml file") from None
    except OSError as err:
        raise StudyError(name, "", f"cannot be read ({err.strerror})") from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise StudyError(name, "", "is not UTF-8 text; save it as UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as err:
        raise StudyError(name, "", f"is not valid TOML ({err}); fix the syntax") from None
    apply_overrides(doc, overrides, file=name)
    return study_from_dict(doc, file=name, sha256=hashlib.sha256(raw).hexdigest(),
                           default_name=p.stem)


def apply_overrides(doc: dict[str, Any], overrides: Iterable[str], *, file: str) -> None:
    """Apply ``dotted.key=value`` settings to a parsed study document in place."""
    for item in overrides:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise StudyError(file, "--set", f"'{item}' must look like dotted.key=value")
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text.strip()
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


def study_from_dict(doc: Mapping[str, Any], *, file: str = "<study>", sha256: str = "",
                    default_name: str = "study") -> Study:
    """Validate a parsed study document (see :func:`load_study`)."""
    _unknown(file, "", doc, ("study", "workload", "strategies", "correlations"))
    settings = _table(file, "study", doc.get("study", {}))
    workload_doc = _table(file, "workload", doc.get("workload"), required=True)
    strategies_doc = _table(file, "strategies", doc.get("strategies"), required=True)
    if not strategies_doc:
        raise StudyError(file, "strategies", "no strategies; add at least [strategies.<name>]")

    baseline = settings.get("baseline")
    if baseline is None:
        raise StudyError(file, "study.baseline", "missing; name the strategy every other one "
                         f"is compared with (one of {', '.join(strategies_doc)})")
    if baseline not in strategies_doc:
        raise StudyError(file, "study.baseline", f"'{baseline}' is not a strategy; use one of "
                         f"{', '.join(strategies_doc)}")

    workload = _inputs(file, "workload", workload_doc, WORKLOAD)
    strategies = {}
    for sname, sdoc in strategies_doc.items():
        strategies[sname] = _strategy(file, sname, sdoc, baseline=(sname == baseline))
    s, defaults = _settings(file, settings, default_name)
    study = Study(workload=workload, strategies=strategies, correlations=(), file=file,
                  sha256=sha256, defaults=defaults, baseline=baseline, **s)
    correlations = _correlations(file, doc.get("correlations", []), study)
    return study.replace(correlations=correlations)


# -- sections ---------------------------------------------------------------------------


def _table(file: str, key: str, value: Any, *, required: bool = False) -> dict[str, Any]:
    if value is None:
        if required:
            raise StudyError(file, key, f"missing; add a [{key}] table")
        return {}
    if not isinstance(value, dict):
        raise StudyError(file, key, f"must be a table ([{key}]), not {type(value).__name__}")
    return value


def _unknown(file: str, prefix: str, doc: Mapping[str, Any], valid: Iterable[str]) -> None:
    valid = list(valid)
    for key in doc:
        if key not in valid:
            close = get_close_matches(key, valid, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise StudyError(file, f"{prefix}{key}", f"unknown key; {hint}valid keys: "
                             f"{', '.join(valid)}")


_SETTINGS: dict[str, tuple[type | tuple[type, ...], Any]] = {
    "name": (str, None),
    "source": (str, ""),
    "description": (str, ""),
    "horizon_months": (int, 36),
    "samples": (int, 10_000),
    "seed": (int, 0),
    "sampling": (str, "mc"),
    "discount_rate": ((int, float), 0.10),
    "baseline": (str, None),
    "payback_within": (list, [6, 12, 24]),
    "criterion": (str, "npv"),
}


def _settings(file: str, doc: Mapping[str, Any],
              default_name: str) -> tuple[dict[str, Any], frozenset[str]]:
    _unknown(file, "study.", doc, _SETTINGS)
    out: dict[str, Any] = {}
    defaults = set()
    for key, (kind, default) in _SETTINGS.items():
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
    if not 1 <= out["horizon_months"] <= 600:
        raise StudyError(file, f"{where}horizon_months",
                         f"{out['horizon_months']} must be between 1 and 600 months")
    if not 1 <= out["samples"] <= 10**9:
        raise StudyError(file, f"{where}samples", f"{out['samples']} must be between 1 and 10^9")
    if out["seed"] < 0:
        raise StudyError(file, f"{where}seed", f"{out['seed']} must be a whole number >= 0")
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


def _parse_input(file: str, path: str, value: Any, spec: Field) -> Distribution:
    try:
        dist = parse(value, name=path)
    except DistributionError as err:
        msg = str(err).removeprefix(f"{path}: ")
        raise StudyError(file, path, msg) from None
    problem = spec.domain.check(dist)
    if problem:
        raise StudyError(file, path, problem)
    return spec.domain.adapt(dist)


def _inputs(file: str, prefix: str, doc: Mapping[str, Any], fields: Mapping[str, Field],
            *, skip: Iterable[str] = (), options: Mapping[str, tuple[str, ...]] | None = None,
            ) -> dict[str, Input]:
    out = {}
    skip = set(skip)
    for key, spec in fields.items():
        if key in skip:
            continue
        path = f"{prefix}.{key}"
        if key not in doc:
            if spec.required:
                raise StudyError(file, path, f"missing; give {spec.help} "
                                 f"({spec.domain.what})")
            if spec.default is not None:
                out[key] = Input(path, Fixed(spec.default), True, spec.help)
            continue
        value = doc[key]
        if options and key in options and isinstance(value, str) and value in options[key]:
            continue
        out[key] = Input(path, _parse_input(file, path, value, spec), False, spec.help)
    return out


def _strategy(file: str, name: str, doc: Any, *, baseline: bool) -> Strategy:
    prefix = f"strategies.{name}"
    if not _NAME.match(name):
        raise StudyError(file, prefix, "strategy names start with a letter and use letters, "
                         "digits, '_' or '-'")
    if name in RESERVED:
        raise StudyError(file, prefix, f"'{name}' is reserved (a key of summary.json); rename "
                         "the strategy")
    doc = _table(file, prefix, doc)
    kind_name = doc.get("kind")
    if kind_name is None:
        raise StudyError(file, f"{prefix}.kind", f"missing; one of {', '.join(KINDS)}")
    if kind_name not in KINDS:
        raise StudyError(file, f"{prefix}.kind", f"'{kind_name}' is not a strategy kind; use "
                         f"one of {', '.join(KINDS)}")
    kind = KINDS[kind_name]
    project = set(PROJECT_KEYS) & set(kind.fields)
    valid = ["kind", *(k for k in kind.fields if not (baseline and k in project))]
    for key in doc:
        if baseline and key in project:
            raise StudyError(file, f"{prefix}.{key}", "the baseline is what runs today and has "
                             "no project; remove it (or make another strategy the baseline)")
    _unknown(file, f"{prefix}.", doc, valid)
    options: dict[str, str] = {}
    for key, allowed in kind.options.items():
        value = doc.get(key)
        if isinstance(value, str):
            if value not in allowed:
                raise StudyError(file, f"{prefix}.{key}", f"'{value}' is not allowed; give a "
                                 f"number or one of {', '.join(allowed)}")
            options[key] = value
    for key, cond_key, cond_value in kind.conditional:
        active = cond_key in doc if cond_value == "*" else options.get(cond_key) == cond_value
        if active and key not in doc:
            when = f"{cond_key} is given" if cond_value == "*" else f'{cond_key} = "{cond_value}"'
            raise StudyError(file, f"{prefix}.{key}", f"missing; required when {when} "
                             f"({kind.fields[key].help})")
    skip = project if baseline else set()
    inputs = _inputs(file, prefix, doc, kind.fields, skip=skip, options=kind.options)
    return Strategy(name, kind_name, inputs, options, baseline)


def _full_path(path: str, strategies: Mapping[str, Any]) -> str:
    head = path.split(".", 1)[0]
    if head in strategies and head not in ("workload", "strategies"):
        return f"strategies.{path}"
    return path


def _pair(file: str, where: str, item: Any, study: Study,
          known: Mapping[str, Input]) -> Correlation:
    if not isinstance(item, dict):
        raise StudyError(file, where, "must be a table with 'between' and 'rank'")
    _unknown(file, f"{where}.", item, ("between", "rank"))
    between, rank = item.get("between"), item.get("rank")
    if (not isinstance(between, list) or len(between) != 2
            or not all(isinstance(b, str) for b in between)):
        raise StudyError(file, f"{where}.between", 'must name two inputs, e.g. ["workload.'
                         'requests_per_day", "frontier.annual_price_drop"]')
    if isinstance(rank, bool) or not isinstance(rank, int | float) or not -1 <= rank <= 1:
        raise StudyError(file, f"{where}.rank", f"{rank!r} must be a number in [-1, 1]")
    paths = [_full_path(b, study.strategies) for b in between]
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
