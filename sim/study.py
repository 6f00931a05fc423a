"""Study files: TOML in, a validated :class:`Study` out (SPEC §10).

Every problem becomes a :class:`~sim.errors.StudyError` naming the file, the key and the
fix; nothing is evaluated, and unknown keys are errors (with a suggestion), never ignored.
"""

from __future__ import annotations

import hashlib
import math
import stat
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from distributions import METHODS, DistributionError, check_correlation
from sim.errors import StudyError
from sim.schema import LATENCY_MS, WORKLOAD, growth_problem, top
from sim.strategy_loader import load_strategy, make_inputs, unknown_keys
from sim.study_types import (
    CRITERIA,
    RESERVED,
    Constraints,
    Correlation,
    Input,
    Strategy,
    Study,
    full_path,
)

__all__ = [
    "CRITERIA",
    "RESERVED",
    "Constraints",
    "Correlation",
    "Input",
    "Strategy",
    "Study",
    "apply_overrides",
    "load_study",
    "study_from_dict",
]


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

    unknown_keys(file, "workload.", workload_doc, [*WORKLOAD, "hourly_profile"])
    profile = _hourly_profile(file, workload_doc.get("hourly_profile"))
    workload = make_inputs(file, "workload", workload_doc, WORKLOAD)
    strategies = {}
    for sname, sdoc in strategies_doc.items():
        strategies[sname] = load_strategy(file, sname, sdoc, baseline=(sname == baseline),
                                          strategies=strategies_doc)
    s, defaults = _settings(file, settings, default_name)
    growth = growth_problem(top(workload["monthly_growth"].dist), s["horizon_months"])
    if growth:
        raise StudyError(file, "workload.monthly_growth", growth)
    constraints = _constraints(file, doc.get("constraints", {}))
    study = Study(workload=workload, strategies=strategies, correlations=(), file=file,
                  sha256=sha256, defaults=defaults, baseline=baseline, constraints=constraints,
                  hourly_profile=profile, raw=doc, **s)
    correlations = _correlations(file, doc.get("correlations", []), study)
    study = study.replace(correlations=correlations)
    from sim.costs.serving import check_serving

    check_serving(study)
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
    unknown_keys(file, "study.", doc, _SETTINGS)
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
    unknown_keys(file, "constraints.", doc, ("data_on_premises", "p99_latency_ms",
                                             "vendor_portability", "latency_metric"))
    metric = doc.get("latency_metric", "e2e")
    if metric not in ("e2e", "ttft"):
        raise StudyError(file, "constraints.latency_metric",
                         f"{metric!r} must be \"e2e\" (end to end) or \"ttft\" (first token)")
    for key in ("data_on_premises", "vendor_portability"):
        if key in doc and not isinstance(doc[key], bool):
            raise StudyError(file, f"constraints.{key}", f"{doc[key]!r} must be true or false")
    latency = doc.get("p99_latency_ms")
    if latency is not None and (isinstance(latency, bool) or not isinstance(latency, int | float)
                                or not LATENCY_MS.contains(latency, latency)):
        raise StudyError(file, "constraints.p99_latency_ms",
                         f"{latency!r} must be a number of milliseconds > 0, at most "
                         f"{LATENCY_MS.hi:.3g} ({LATENCY_MS.why})")
    return Constraints(bool(doc.get("data_on_premises", False)),
                       None if latency is None else float(latency),
                       bool(doc.get("vendor_portability", False)), metric)


def _pair(file: str, where: str, item: Any, study: Study,
          known: Mapping[str, Input]) -> Correlation:
    if not isinstance(item, dict):
        raise StudyError(file, where, "must be a table with 'between' and 'rank'")
    unknown_keys(file, f"{where}.", item, ("between", "rank"))
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
