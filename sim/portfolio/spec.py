"""Portfolio files in, a validated :class:`Portfolio` out (README, "Portfolios").

A portfolio file names member studies (paths relative to the portfolio file), the inputs
they share (one draw per sample for all members), the limits across them and the
objective. Every problem is a :class:`~sim.study.StudyError` naming the portfolio file (or
the member file), the key and the fix.

A shared input is keyed ``strategy.key`` (``frontier.price_cuts_per_year``),
``*.key`` (that key of every strategy of every member: ``*.hourly_rate``) or
``workload.key``. Its value is the portfolio's own distribution: it replaces the
members' values of every input it names, and is validated against each of them as the
member's own value would be.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from distributions import DistributionError, parse
from sim.runner.constraints import feasibility
from sim.study import Study, StudyError, study_from_dict

__all__ = ["OBJECTIVES", "Limits", "Member", "Objective", "Portfolio", "load_portfolio",
           "portfolio_from_dict", "read_toml"]

#: What the optimizer maximizes: E[NPV], P(portfolio payback <= N), or CVaR 5% of NPV.
Objective = Literal["npv", "payback", "cvar"]
OBJECTIVES: tuple[str, ...] = get_args(Objective)
#: Schedules (choices x start orders) searched exhaustively; beyond, the greedy heuristic.
MAX_EXHAUSTIVE = 20_000
_SETTINGS = ("name", "description", "samples", "seed", "sampling", "horizon_months",
             "objective", "payback_months", "max_exhaustive")
_MEMBER_KEYS = ("study", "name", "strategies", "seed")
_LIMIT_KEYS = ("engineering_hours_per_quarter", "mlops_fte", "upfront_budget")


@dataclass(frozen=True)
class Limits:
    """Limits across the members (``[constraints]``); None: no limit.

    Attributes
    ----------
    engineering_hours_per_quarter : float or None
        Engineering hours available in each calendar quarter of the plan (months 1-3,
        4-6, ...); a project's expected hours are spread evenly over its build months.
    mlops_fte : float or None
        ML engineers available to keep the chosen models in production (sum of the
        chosen strategies' expected ``mlops_fte``).
    upfront_budget : float or None
        Dollars available for the projects (sum of the chosen strategies' expected
        one-off project cost).
    """

    engineering_hours_per_quarter: float | None = None
    mlops_fte: float | None = None
    upfront_budget: float | None = None


@dataclass(frozen=True)
class Member:
    """One use case of the portfolio.

    Attributes
    ----------
    name : str
        Its name in the portfolio (default: the study file's stem).
    study : Study
        The member study with the portfolio's samples, horizon, seed and shared values
        applied.
    choices : tuple of str
        The strategies it may adopt (besides staying on its baseline).
    shared : dict of str to str
        Each input path of the study bound to a shared input, to that shared input's key.
    dropped : tuple of str
        Correlations of the study left out because they involve a shared input.
    excluded : dict of str to str
        Strategies left out because they break the study's own constraints, with why.
    """

    name: str
    study: Study
    choices: tuple[str, ...]
    shared: dict[str, str]
    dropped: tuple[str, ...] = ()
    excluded: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Portfolio:
    """A validated portfolio (build one with :func:`load_portfolio`).

    Attributes
    ----------
    shared : dict of str to Distribution
        Each shared input's stream key (``strategies.x.key``, ``*.key`` or
        ``workload.key``) to its distribution.
    """

    name: str
    file: str
    members: tuple[Member, ...]
    shared: dict[str, Any]
    limits: Limits
    samples: int
    seed: int
    sampling: str
    horizon_months: int
    objective: str = "npv"
    payback_months: int = 12
    max_exhaustive: int = MAX_EXHAUSTIVE
    description: str = ""
    sha256: str = ""
    warnings: tuple[str, ...] = field(default=())

    def member(self, name: str) -> Member:
        """The member named ``name`` (KeyError if none)."""
        for m in self.members:
            if m.name == name:
                return m
        raise KeyError(name)

    def replace(self, **changes: Any) -> Portfolio:
        """A copy with some settings changed (members are not reloaded)."""
        import dataclasses

        return dataclasses.replace(self, **changes)


def read_toml(path: Path, shown: str, key: str = "") -> tuple[dict[str, Any], bytes]:
    """A TOML file's document and bytes; StudyError naming ``shown`` and ``key``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StudyError(shown, key, f"file not found: {path}; check the path (relative "
                         "to the portfolio file)" if key else "file not found; check the path"
                         ) from None
    except IsADirectoryError:
        raise StudyError(shown, key, f"{path} is a folder; give a .toml file") from None
    except OSError as err:
        raise StudyError(shown, key, f"{path} cannot be read ({err.strerror})") from None
    try:
        return tomllib.loads(raw.decode("utf-8")), raw
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise StudyError(shown, key, f"{path} is not valid UTF-8 TOML ({err}); fix the "
                         "syntax") from None


def load_portfolio(path: str | Path) -> Portfolio:
    """Read, validate and return the portfolio in ``path``.

    Parameters
    ----------
    path : str or Path
        A TOML portfolio file.

    Returns
    -------
    Portfolio

    Raises
    ------
    StudyError
        A missing member file, an unknown key or shared input, a negative limit, an
        impossible distribution...; the message names the file, the key and the fix.

    Examples
    --------
    >>> p = load_portfolio("studies/portfolio.toml")  # doctest: +SKIP
    >>> [m.name for m in p.members]  # doctest: +SKIP
    ['tickets', 'contracts', 'code_completion', 'voice', 'icd10']
    """
    shown = str(path)
    doc, raw = read_toml(Path(path), shown)
    return portfolio_from_dict(doc, file=shown, sha256=hashlib.sha256(raw).hexdigest())


def _unknown(file: str, prefix: str, doc: Mapping[str, Any], valid: tuple[str, ...]) -> None:
    for key in doc:
        if key not in valid:
            raise StudyError(file, f"{prefix}{key}", f"unknown key; valid keys: "
                             f"{', '.join(valid)}")


def _number(file: str, key: str, value: Any, *, low: float, integer: bool = False,
            what: str = "") -> Any:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if integer:
        ok = ok and float(value).is_integer()
    if not ok or value < low:
        kind = "a whole number" if integer else "a number"
        raise StudyError(file, key, f"{value!r} must be {kind} >= {low:g}{what}")
    return int(value) if integer else float(value)


def _settings(file: str, doc: Mapping[str, Any]) -> dict[str, Any]:
    s = doc.get("portfolio", {})
    if not isinstance(s, dict):
        raise StudyError(file, "portfolio", "must be a table: [portfolio]")
    _unknown(file, "portfolio.", s, _SETTINGS)
    out: dict[str, Any] = {"name": str(s.get("name", Path(file).stem)),
                           "description": str(s.get("description", ""))}
    out["samples"] = _number(file, "portfolio.samples", s.get("samples", 20_000), low=1,
                             integer=True)
    out["seed"] = _number(file, "portfolio.seed", s.get("seed", 0), low=0, integer=True)
    sampling = s.get("sampling", "mc")
    if sampling not in ("mc", "lhs", "sobol"):
        raise StudyError(file, "portfolio.sampling", f"'{sampling}' must be one of mc, lhs, "
                         "sobol")
    out["sampling"] = sampling
    objective = s.get("objective", "npv")
    if objective not in OBJECTIVES:
        raise StudyError(file, "portfolio.objective", f"'{objective}' must be one of "
                         f"{', '.join(OBJECTIVES)} (E[NPV], P(payback <= payback_months), "
                         "CVaR 5%)")
    out["objective"] = objective
    out["max_exhaustive"] = _number(file, "portfolio.max_exhaustive",
                                    s.get("max_exhaustive", MAX_EXHAUSTIVE), low=1,
                                    integer=True)
    out["payback_months"] = s.get("payback_months", 12)
    out["horizon_months"] = s.get("horizon_months")
    return out


def _limits(file: str, doc: Any) -> Limits:
    if not isinstance(doc, dict):
        raise StudyError(file, "constraints", "must be a table: [constraints]")
    _unknown(file, "constraints.", doc, _LIMIT_KEYS)
    values = {k: _number(file, f"constraints.{k}", v, low=0,
                         what="; give the amount available, or leave the key out for no limit")
              for k, v in doc.items()}
    return Limits(**values)


def _shared_values(file: str, doc: Any) -> dict[str, Any]:
    """The ``[shared]`` table: each key normalised to its stream key, value parsed."""
    if not isinstance(doc, dict):
        raise StudyError(file, "shared", "must be a table: [shared]")
    out: dict[str, Any] = {}
    for key, value in doc.items():
        parts = key.split(".")
        if len(parts) != 2 or not all(parts):
            raise StudyError(file, f"shared.{key}", "must be 'strategy.key', '*.key' or "
                             "'workload.key' (quote it in TOML: \"*.hourly_rate\" = ...)")
        name = key if parts[0] in ("workload", "*") else f"strategies.{key}"
        try:
            parse(value, name=f"shared.{key}", base_dir=Path(file).parent)
        except DistributionError as err:
            raise StudyError(file, f"shared.{key}",
                             str(err).removeprefix(f"shared.{key}: ")) from None
        out[name] = value
    return out


def _bindings(shared: Mapping[str, Any], study: Study) -> dict[str, str]:
    """Each of the study's input paths a shared key names, to that key."""
    out: dict[str, str] = {}
    paths = [i.path for i in study.inputs()]
    for key in shared:
        if key.startswith("*."):
            field_name = key[2:]
            for s in study.strategies:
                path = f"strategies.{s}.{field_name}"
                if path in paths:
                    out[path] = key
        elif key in paths:
            out[key] = key
    return out


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    node = doc
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _choices(file: str, where: str, item: Mapping[str, Any], study: Study
             ) -> tuple[tuple[str, ...], dict[str, str]]:
    """The strategies a member may adopt, and those its own constraints exclude (why)."""
    others = [s for s in study.compared() if s != study.baseline]
    why = {s: r for s, r in feasibility(study).items() if r is not None and s in others}
    choices = tuple(item.get("strategies", [s for s in others if s not in why]))
    for c in choices:
        if c not in others:
            raise StudyError(file, f"{where}.strategies", f"'{c}' is not a strategy "
                             f"{item['study']} compares with its baseline; use some of "
                             f"{', '.join(others)}")
        if c in why:
            raise StudyError(file, f"{where}.strategies", f"'{c}' breaks the constraints "
                             f"of {item['study']} ({why[c]}); leave it out")
    if not choices:
        raise StudyError(file, f"{where}.strategies", "no strategy to adopt (empty, or every "
                         "one breaks the study's constraints); name at least one")
    return choices, why


def _member(file: str, index: int, item: Any, settings: Mapping[str, Any],
            shared: Mapping[str, Any]) -> tuple[Member, dict[str, Any]]:
    where = f"members[{index}]"
    if not isinstance(item, dict):
        raise StudyError(file, where, "must be a table: [[members]] with study = \"file.toml\"")
    _unknown(file, f"{where}.", item, _MEMBER_KEYS)
    if "study" not in item or not isinstance(item["study"], str):
        raise StudyError(file, f"{where}.study", "missing; give the member's study file "
                         "(relative to the portfolio file)")
    path = Path(file).parent / item["study"]
    doc, _ = read_toml(path, file, f"{where}.study")
    study_doc = doc.setdefault("study", {})
    if not isinstance(study_doc, dict):
        raise StudyError(str(path), "study", "must be a table: [study]")
    study_doc["samples"] = settings["samples"]
    if "seed" in item:
        study_doc["seed"] = _number(file, f"{where}.seed", item["seed"], low=0, integer=True)
    if settings["horizon_months"] is not None:
        study_doc["horizon_months"] = settings["horizon_months"]
    study = study_from_dict(doc, file=str(path), default_name=path.stem)
    bound = _bindings(shared, study)
    for p, key in bound.items():
        _set(doc, p, shared[key])
    try:
        study = study_from_dict(doc, file=str(path), default_name=path.stem)
    except StudyError as err:
        if err.key in bound:
            shown_key = bound[err.key].removeprefix("strategies.")
            raise StudyError(file, f"shared.{shown_key}", f"{err.message} (as {err.key} of "
                             f"{item['study']})") from None
        raise
    name = str(item.get("name", path.stem))
    choices, why = _choices(file, where, item, study)
    kept, dropped = [], []
    for c in study.correlations:
        if c.a in bound or c.b in bound:
            dropped.append(f"{c.a} ~ {c.b}")
        else:
            kept.append(c)
    study = study.replace(correlations=tuple(kept))
    return Member(name, study, choices, bound, tuple(dropped),
                  {s: r for s, r in why.items() if s not in choices}), doc


def portfolio_from_dict(doc: Mapping[str, Any], *, file: str = "<portfolio>",
                        sha256: str = "") -> Portfolio:
    """Validate a parsed portfolio document (see :func:`load_portfolio`).

    Examples
    --------
    >>> portfolio_from_dict({"members": []}, file="p.toml")
    Traceback (most recent call last):
    ...
    sim.study.errors.StudyError: p.toml: members: no members; add [[members]] with study = "x.toml"
    """
    _unknown(file, "", doc, ("portfolio", "members", "shared", "constraints"))
    settings = _settings(file, doc)
    items = doc.get("members", [])
    if not isinstance(items, list) or not items:
        raise StudyError(file, "members", "no members; add [[members]] with study = \"x.toml\"")
    shared = _shared_values(file, doc.get("shared", {}))
    limits = _limits(file, doc.get("constraints", {}))
    members = [_member(file, i, item, settings, shared)[0] for i, item in enumerate(items)]
    names = [m.name for m in members]
    for i, m in enumerate(members):
        if names.index(m.name) != i:
            raise StudyError(file, f"members[{i}].name", f"'{m.name}' names two members; "
                             "give each a distinct name = \"...\"")
        for j in range(i):
            if members[j].study.seed == m.study.seed:
                raise StudyError(file, f"members[{i}].seed", f"{m.name} and "
                                 f"{members[j].name} both draw their own inputs with seed "
                                 f"{m.study.seed}, so inputs of the same name would be drawn "
                                 "identically; give one of them seed = <another number>")
    used = {key for m in members for key in m.shared.values()}
    for key in shared:
        if key not in used:
            shown = key.removeprefix("strategies.")
            raise StudyError(file, f"shared.{shown}", "no member has this input; name an "
                             "input of a member study ('strategy.key', '*.key' or "
                             "'workload.key')")
    horizons = {m.study.horizon_months for m in members}
    horizon = settings["horizon_months"] or max(horizons)
    if settings["horizon_months"] is None and len(horizons) > 1:
        members = [m if m.study.horizon_months == horizon else
                   _member(file, i, item, {**settings, "horizon_months": horizon}, shared)[0]
                   for i, (m, item) in enumerate(zip(members, items, strict=True))]
    payback = settings["payback_months"]
    if not isinstance(payback, int) or isinstance(payback, bool) or not 1 <= payback <= horizon:
        raise StudyError(file, "portfolio.payback_months", f"{payback!r} must be a whole "
                         f"number of months from 1 to the horizon ({horizon})")
    warnings = tuple(f"{m.name}: correlation {d} left out (a shared input is drawn once for "
                     "every member)" for m in members for d in m.dropped)
    parsed = {k: parse(v, name=k, base_dir=Path(file).parent) for k, v in shared.items()}
    return Portfolio(
        name=settings["name"], file=file, members=tuple(members), shared=parsed,
        limits=limits, samples=settings["samples"], seed=settings["seed"],
        sampling=settings["sampling"], horizon_months=horizon,
        objective=settings["objective"], payback_months=payback,
        max_exhaustive=settings["max_exhaustive"], description=settings["description"],
        sha256=sha256, warnings=warnings)
