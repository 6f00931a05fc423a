"""A :class:`ServingConfig` from a study file's self-hosted strategy (read from the raw TOML).

Keys read, with their defaults when absent:

``[strategies.S]`` (``kind = "self_hosted"``)
    ``hardware`` — a profile name; default the profile closest to ``model_size_b``
    (7 → ``a10g-7b``, 13 → ``a100-40gb-13b``, 70 → ``2xa100-80gb-70b``).
    ``gpu_hourly`` — $ per replica-hour; default the profile's.
    ``throughput_tokens_per_s`` — replaces the profile's aggregate figure.
    ``max_batch`` [profile's reference batch, 32], ``quantization`` ["none"],
    ``speculative_decoding`` [false].
    ``instances`` — a number: a fixed pool of that many replicas; ``"auto"``,
    ``"simulated"`` or absent: the smallest fixed pool meeting the SLA (and
    ``target_utilization``; 0.6 without an SLA) at the busiest hour.
    ``min_replicas``, ``max_replicas``, ``scale_to_zero`` — any of them turns on hourly
    autoscaling (defaults 1, 1000, false; ``scale_to_zero`` needs ``min_replicas`` 0 or
    absent); ``cold_start_s`` [120], ``idle_timeout_s`` [300]; ``target_utilization``
    [none: 0.6 without an SLA].
``[workload]``
    ``requests_per_day`` (its median is simulated), ``input_tokens``, ``output_tokens``
    (distributions of per-request sizes), ``peak_to_average`` [1] or ``hourly_profile``
    (24 weights, 00:00 first).
``[constraints]``
    ``p99_latency_ms`` [none], ``latency_metric`` ["e2e" | "ttft"; default "e2e"].

Numbers may be written as distributions; a setting (not a per-request size) is taken at
its median.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distributions import Distribution, DistributionError, parse
from sim.serving.config import Autoscaling, ServingConfig
from sim.serving.hardware import QUANTIZATIONS, get_profile, load_profiles, profile_for_size
from sim.serving.traffic import hourly_weights
from sim.study.errors import StudyError

_AUTOSCALING_KEYS = ("min_replicas", "max_replicas", "scale_to_zero")


@dataclass(frozen=True)
class ServingStudy:
    """A strategy's serving config and the daily volume to simulate."""

    name: str
    strategy: str
    config: ServingConfig
    requests_per_day: float
    seed: int


def read_study(path: str | Path) -> dict[str, Any]:
    """The study file as a TOML document (raises :class:`StudyError` naming the file)."""
    file = str(path)
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StudyError(file, "", "file not found; check the path") from None
    except (OSError, UnicodeDecodeError) as err:
        raise StudyError(file, "", f"cannot be read ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise StudyError(file, "", f"invalid TOML: {err}") from None


class _Reader:
    def __init__(self, file: str, where: str, table: Mapping[str, Any]) -> None:
        self.file, self.where, self.table = file, where, table

    def fail(self, key: str, message: str) -> StudyError:
        return StudyError(self.file, f"{self.where}.{key}", message)

    def dist(self, key: str) -> Distribution | None:
        if key not in self.table:
            return None
        try:
            return parse(self.table[key], name=key)
        except DistributionError as err:
            raise self.fail(key, str(err).removeprefix(f"{key}: ")) from None

    def number(self, key: str, *, lo: float = 0.0, strict: bool = True) -> float | None:
        d = self.dist(key)
        if d is None:
            return None
        value = d.median
        if value < lo or (strict and value == lo):
            raise self.fail(key, f"{value:g} must be {'>' if strict else '>='} {lo:g}")
        return value

    def count(self, key: str, *, lo: int = 1) -> int | None:
        value = self.number(key, lo=lo, strict=False)
        return None if value is None else round(value)

    def flag(self, key: str) -> bool | None:
        value = self.table.get(key)
        if value is not None and not isinstance(value, bool):
            raise self.fail(key, f"{value!r} must be true or false")
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.table.get(key, default)
        if value not in options:
            raise self.fail(key, f"{value!r} must be one of {', '.join(map(repr, options))}")
        return str(value)


def _strategy(doc: Mapping[str, Any], file: str, name: str) -> Mapping[str, Any]:
    strategies = doc.get("strategies", {})
    if not isinstance(strategies, dict) or name not in strategies:
        names = ", ".join(sorted(strategies)) if isinstance(strategies, dict) else ""
        raise StudyError(file, f"strategies.{name}", f"no such strategy; the study has: "
                         f"{names or 'none'}")
    s = strategies[name]
    if not isinstance(s, dict) or s.get("kind") != "self_hosted":
        kind = s.get("kind") if isinstance(s, dict) else None
        raise StudyError(file, f"strategies.{name}.kind", f"is {kind!r}; the serving simulation "
                         'needs a kind = "self_hosted" strategy')
    return s


def _profile(r: _Reader) -> Any:
    hardware = r.table.get("hardware")
    if hardware is not None:
        if not isinstance(hardware, str) or hardware not in load_profiles():
            raise r.fail("hardware", f"{hardware!r} is not a known hardware profile; use one "
                         f"of {', '.join(sorted(load_profiles()))}")
        return get_profile(hardware)
    size = r.number("model_size_b")
    if size is None:
        raise r.fail("hardware", "missing; give hardware = \"a10g-7b\" (or another profile) or "
                     "model_size_b")
    return profile_for_size(size)


def _policy(r: _Reader) -> dict[str, Any]:
    instances = r.table.get("instances")
    auto_given = [k for k in _AUTOSCALING_KEYS if k in r.table]
    replicas = None
    if instances is not None and instances not in ("auto", "simulated"):
        replicas = r.count("instances")
        if auto_given:
            raise r.fail("instances", f"a fixed count conflicts with autoscaling "
                         f"({', '.join(auto_given)}); write instances = \"simulated\"")
    autoscaling = None
    if auto_given:
        zero = bool(r.flag("scale_to_zero"))
        low = r.count("min_replicas", lo=0)
        if zero and low:
            raise r.fail("min_replicas", f"{low} conflicts with scale_to_zero = true; "
                         "remove it or set it to 0")
        kw: dict[str, Any] = {"min_replicas": 0 if zero else (1 if low is None else low),
              "max_replicas": r.count("max_replicas") or 1000,
              "cold_start_s": _or(r.number("cold_start_s", strict=False), 120.0),
              "idle_timeout_s": _or(r.number("idle_timeout_s"), 300.0), "scale_to_zero": zero}
        try:
            autoscaling = Autoscaling(**kw)
        except ValueError as err:
            raise r.fail("max_replicas", str(err)) from None
    util = r.number("target_utilization")
    if util is not None and util > 1:
        raise r.fail("target_utilization", f"{util:g} must be in (0, 1]")
    return {"replicas": replicas, "autoscaling": autoscaling, "target_utilization": util}


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _workload(doc: Mapping[str, Any], file: str) -> tuple[dict[str, Any], float]:
    w = doc.get("workload")
    if not isinstance(w, dict):
        raise StudyError(file, "workload", "missing; give [workload] with requests_per_day, "
                         "input_tokens and output_tokens")
    r = _Reader(file, "workload", w)
    volume = r.number("requests_per_day")
    sizes = {k: r.dist(k) for k in ("input_tokens", "output_tokens")}
    for key, value in [("requests_per_day", volume), *sizes.items()]:
        if value is None:
            raise r.fail(key, "missing; the serving simulation needs it")
    if "hourly_profile" in w:
        try:
            weights = hourly_weights(weights=w["hourly_profile"])
        except (ValueError, TypeError) as err:
            raise r.fail("hourly_profile", str(err)) from None
    else:
        ratio = r.number("peak_to_average", lo=1.0, strict=False)
        try:
            weights = hourly_weights(peak_to_average=ratio)
        except ValueError as err:
            raise r.fail("peak_to_average", str(err)) from None
    return {**sizes, "hourly_weights": tuple(weights.tolist())}, float(volume)  # type: ignore[arg-type]


def serving_from_study(doc: Mapping[str, Any], strategy: str, *,
                       file: str = "<study>") -> ServingStudy:
    """The serving config of ``strategy`` in a study document (see the module docstring).

    Parameters
    ----------
    doc : mapping
        The study's TOML document (:func:`read_study`).
    strategy : str
        Name of a ``kind = "self_hosted"`` strategy.
    file : str
        File name for error messages.

    Returns
    -------
    ServingStudy

    Raises
    ------
    StudyError
        Naming the file, key and fix, for an unknown strategy or profile, a value out of
        range, or conflicting policy keys.

    Examples
    --------
    >>> doc = {"workload": {"requests_per_day": 50_000, "input_tokens": 500,
    ...                     "output_tokens": 200},
    ...        "strategies": {"ft": {"kind": "self_hosted", "model_size_b": 7}}}
    >>> s = serving_from_study(doc, "ft")
    >>> s.config.profile.name, s.requests_per_day
    ('a10g-7b', 50000.0)
    """
    s = _strategy(doc, file, strategy)
    r = _Reader(file, f"strategies.{strategy}", s)
    profile = _profile(r)
    sizes, volume = _workload(doc, file)
    c = doc.get("constraints", {})
    cr = _Reader(file, "constraints", c if isinstance(c, dict) else {})
    options: dict[str, Any] = {
        "max_batch": r.count("max_batch"),
        "quantization": r.choice("quantization", QUANTIZATIONS, "none"),
        "speculative_decoding": bool(r.flag("speculative_decoding")),
        "tokens_per_s": r.number("throughput_tokens_per_s"),
        "hourly_usd": r.number("gpu_hourly"),
        "p99_latency_ms": cr.number("p99_latency_ms"),
        "latency_metric": cr.choice("latency_metric", ("e2e", "ttft"), "e2e"),
    }
    policy = _policy(r)  # raises StudyError itself: keep it outside the ValueError handler
    try:
        config = ServingConfig(profile, **sizes, **options, **policy)
    except ValueError as err:
        raise StudyError(file, f"strategies.{strategy}", str(err)) from None
    study = doc.get("study", {})
    seed = study.get("seed", 0) if isinstance(study, dict) else 0
    name = study.get("name", strategy) if isinstance(study, dict) else strategy
    return ServingStudy(str(name), strategy, config, volume,
                        int(seed) if isinstance(seed, int) else 0)
