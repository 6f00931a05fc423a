"""Building every strategy's kernel for a chunk of samples (routing from its components),
and packing their coefficients for the fused model (:func:`pack_study`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from sim.costs.arena import Arena, opened, row
from sim.costs.kernels import ADDED_HOURS, Kernel, build_kernel, engineering_cost
from sim.costs.pack import Packed, Packer
from sim.costs.project import Project
from sim.costs.routing import ProjectSet, RoutingKernel
from sim.costs.workload import Value, VolumePath, Workload
from sim.serving.from_study import capacity_for, uses_simulation
from sim.study import Strategy, Study
from sim.study.schema import SHOCKS


def section(values: Mapping[str, Value], prefix: str) -> dict[str, Value]:
    """The values under ``prefix.`` with the prefix removed.

    Examples
    --------
    >>> section({"workload.a": 1.0, "strategies.x.b": 2.0, "strategies.x.c.d": 3.0},
    ...         "strategies.x")
    {'b': 2.0, 'c.d': 3.0}
    """
    cut = len(prefix) + 1
    return {k[cut:]: v for k, v in values.items() if k.startswith(prefix + ".")}


class Sections:
    """Every :func:`section` of ``values`` from one pass over its keys (building a chunk's
    kernels takes a dozen sections of the same values: one scan each cost more than the
    kernels' arithmetic for a point estimate). The keys under each prefix are found once
    for a set of keys (every chunk of a study has the same) and kept.

    Examples
    --------
    >>> s = Sections({"workload.a": 1.0, "strategies.x.b": 2.0, "strategies.x.c.d": 3.0})
    >>> s("strategies.x"), s("strategies.y")
    ({'b': 2.0, 'c.d': 3.0}, {})
    """

    def __init__(self, values: Mapping[str, Value]) -> None:
        self._values = values
        keys = tuple(values)
        plan = _PLANS.get(keys)
        if plan is None:
            plan = _plan(keys)
            if len(_PLANS) > 64:
                _PLANS.clear()
            _PLANS[keys] = plan
        self._plan = plan

    def __call__(self, prefix: str) -> dict[str, Value]:
        """``section(values, prefix)`` (a new dict the caller may change)."""
        values = self._values
        return {sub: values[k] for sub, k in self._plan.get(prefix, ())}


#: The keys under every dotted prefix, by the values' keys (:class:`Sections`).
_PLANS: dict[tuple[str, ...], dict[str, list[tuple[str, str]]]] = {}


def _plan(keys: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """Under every dotted prefix of ``keys``, its keys (the rest, the whole key) in order,
    as :func:`section` finds them."""
    index: dict[str, dict[str, str]] = {}
    for k in keys:
        i = k.find(".")
        while i >= 0:
            index.setdefault(k[:i], {})[k[i + 1:]] = k
            i = k.find(".", i + 1)
    return {prefix: list(subs.items()) for prefix, subs in index.items()}


def build_kernels(study: Study, values: Mapping[str, Value]) -> tuple[Workload,
                                                                      dict[str, Kernel]]:
    """The workload and one kernel per strategy, in the study's order.

    Parameters
    ----------
    study : Study
        The validated study.
    values : mapping
        Every input path to a float or an array over the chunk's samples.
    """
    return _build(study, values, list(study.strategies))


def _build(study: Study, values: Mapping[str, Value],
           names: list[str]) -> tuple[Workload, dict[str, Kernel]]:
    """The workload and the kernels of ``names`` (in that order). A routing strategy's
    part that is also built on its own is that kernel on the part's share of the volume
    (:func:`_on`): its terms that do not depend on the volume are computed once."""
    sections = Sections(values)
    w = _workload(study, values, sections)
    kernels: dict[str, Kernel] = {}
    for name in names:
        s = study.strategies[name]
        if not s.kind_spec.components:
            kernels[name] = _kernel(study, name, values, w, sections)
    for name in names:
        s = study.strategies[name]
        if s.kind_spec.components:
            kernels[name] = _routing(study, s, values, w, sections, kernels)
    return w, {name: kernels[name] for name in names}


def _workload(study: Study, values: Mapping[str, Value], sections: Sections) -> Workload:
    """The chunk's workload; with a volume process, its path (drift, volatility, shocks,
    season) and the expected growth ``exp(drift) - 1`` as ``monthly_growth``.

    Values without shocks (a point estimate, the cash flows at the medians) take the
    median path: every shock 0, ``V(t) = V0 exp((drift - volatility**2 / 2) (t - 1))
    season(t)``.
    """
    w = Workload.from_values(sections("workload"))
    p = study.volume_process
    if p is None:
        return w
    drift = values[p.drift.path]
    shocks = values.get(SHOCKS)
    if shocks is None:
        shocks = np.zeros((study.horizon_months - 1, 1))
    return replace(w, monthly_growth=np.expm1(drift),
                   process=VolumePath(drift, values[p.volatility.path], np.asarray(shocks),
                                      np.array(p.seasonality)))


def _kernel(study: Study, name: str, values: Mapping[str, Value], w: Workload,
            sections: Sections) -> Kernel:
    s = study.strategies[name]
    p = sections(f"strategies.{name}")
    added = study.added_hours(name)  # the constraint cards' work (sim.study.card_inputs)
    if added:
        p[ADDED_HOURS] = sum((values[path] for path in added), start=0.0)
    return build_kernel(s.kind, p, w, _options(study, name),
                        baseline=s.is_baseline, horizon=study.horizon_months,
                        reference=sections(f"strategies.{study.baseline}"))


def _options(study: Study, name: str) -> dict[str, Any]:
    options = dict(study.strategies[name].options)
    if uses_simulation(study, name):
        options["capacity_curve"] = capacity_for(study, name)
    return options


def _scaled(w: Workload, share: Value) -> Workload:
    return replace(w, requests_per_day=w.requests_per_day * share)


def _on(kernel: Kernel, w: Workload) -> Kernel | None:
    """``kernel`` serving the workload ``w`` instead (None if the kind cannot say)."""
    on = getattr(kernel, "on", None)
    return None if on is None else on(w)


def _routing(study: Study, s: Strategy, values: Mapping[str, Value], w: Workload,
             sections: Sections, built: Mapping[str, Kernel] | None = None) -> RoutingKernel:
    p = sections(f"strategies.{s.name}")
    share = p["share"]
    parts, active, projects = [], [], []
    for name, part_share in zip(s.parts, (share, 1 - share), strict=True):
        scaled = _scaled(w, part_share)
        kernel = None
        if built is not None and name in built:
            kernel = _on(built[name], scaled)
        if kernel is None:
            kernel = _kernel(study, name, values, scaled, sections)
        positive = np.asarray(part_share) > 0
        on = row(positive)
        if on is None:
            on = positive.astype(np.float64)
        else:
            np.copyto(on, positive)
        on_v: Value = float(on) if on.ndim == 0 else on
        parts.append(kernel)
        active.append(on_v)
        if kernel.project is not None:
            projects.append((kernel.project, on_v))
    cost = engineering_cost(p)
    router = Project(cost=cost, engineering=cost, build_months=p["build_months"])
    projects.append((router, 1.0))
    return RoutingKernel(parts[0], parts[1], active, ProjectSet(tuple(projects)), router)


#: Arena sizes (rows, shared values) the last chunk of the same shape needed, by
#: :func:`_shape_key` (a hint only: what does not fit is appended, see :class:`Packer`).
_ARENA_SIZES: dict[tuple[Any, ...], tuple[int, int]] = {}
#: Fewer samples than this are packed without an arena (a point estimate, a small chunk).
ARENA_MIN_SAMPLES = 1024


def _shape_key(values: Mapping[str, Value], m: int, order: list[str]) -> tuple[Any, ...]:
    """What fixes how many coefficients a chunk has: the strategies packed and which
    inputs vary by sample."""
    return (m, tuple(order), tuple(k for k, v in values.items()
                                   if isinstance(v, np.ndarray) and v.ndim))


def _arena(key: tuple[Any, ...]) -> Arena | None:
    """An arena for a chunk of shape ``key`` (:func:`_shape_key`; None for few samples)."""
    m, order, per_sample = key
    if m < ARENA_MIN_SAMPLES:
        return None
    size = _ARENA_SIZES.get(key)
    if size is None:  # a first guess: every input and a few coefficients per strategy
        size = (len(per_sample) + 8 * len(order), 64)
    return Arena(m, rows=size[0], scalars=size[1] + 16)


def pack_study(study: Study, values: Mapping[str, Value], m: int,
               names: list[str] | None = None) -> tuple[Packed, dict[str, Kernel]]:
    """The coefficients of every compared strategy (or of ``names``, the baseline among
    them) for ``m`` samples, packed for :func:`sim.costs.fused.simulate`, in that order;
    and the kernels they came from.

    The per-sample coefficients are computed straight into the packed array
    (:mod:`sim.costs.arena`), sized as the last chunk of the same shape needed.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> study = load_study("studies/lesson_parity.toml")  # doctest: +SKIP
    >>> packed, _ = pack_study(study, {i.path: i.dist.median for i in study.inputs()}, 1)
    ... # doctest: +SKIP
    """
    order = names if names is not None else study.compared()
    key = _shape_key(values, m, order)
    arena = _arena(key)
    with opened(arena):
        w, kernels = _build(study, values, order)
        packer = Packer(m, arena)
        packer.add_shared(w)
        ranges = []
        for name in order:
            first = None
            for c in kernels[name].components():
                k = packer.add(c)
                first = k if first is None else first
            assert first is not None
            ranges.append((first, k + 1))
        packed = packer.done(ranges, order.index(study.baseline))
    if arena is not None:
        rows, scalars = packer.spill()
        need = (arena.used + rows, packer.shared_used + scalars)
        if _ARENA_SIZES.get(key) != need:
            if len(_ARENA_SIZES) > 256:
                _ARENA_SIZES.clear()
            _ARENA_SIZES[key] = need
    return packed, kernels
