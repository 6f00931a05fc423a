"""Which strategies meet the study's constraints (docs/study-file.md, ``[constraints]``).

An infeasible strategy is still simulated and shown, marked with the reason, but it is never
recommended.
"""

from __future__ import annotations

from sim.serving.from_study import simulated_latency_reason
from sim.study import Study


def _latency(study: Study, name: str) -> float | None:
    inp = study.strategies[name].inputs.get("p99_latency_ms")
    return None if inp is None else inp.dist.median


def _simulated(study: Study, name: str) -> bool:
    """A self-hosted strategy without a stated p99 has it checked by the serving model."""
    s = study.strategies[name]
    return s.kind_spec.gpu_serving and "p99_latency_ms" not in s.inputs


def feasibility(study: Study) -> dict[str, str | None]:
    """For each strategy, None when it meets every constraint, else the reason it does not.

    Examples
    --------
    >>> from sim import load_study  # doctest: +SKIP
    >>> feasibility(load_study("studies/document_classification.toml"))  # doctest: +SKIP
    {'gpt35': 'sends request data to a vendor (api)', 'self_hosted_7b': None}
    """
    c = study.constraints
    out: dict[str, str | None] = {}
    for name in study.compared():
        parts = list(study.strategies[name].parts)
        kinds = [study.strategies[p].kind_spec for p in parts]
        reasons = []
        if c.data_on_premises:
            away = sorted({k.name for k in kinds if not k.on_premises})
            if away:
                reasons.append(f"sends request data to a vendor ({', '.join(away)})")
        if c.vendor_portability and any(not k.portable for k in kinds):
            reasons.append("a vendor-hosted fine-tuned model cannot move to another vendor "
                           "without retraining")
        if c.p99_latency_ms is not None:
            simulated = [p for p in parts if _simulated(study, p)]
            for p in simulated:
                why = simulated_latency_reason(study, p)
                if why:
                    reasons.append(f"{why} (serving simulation)")
            parts = [p for p in parts if p not in simulated]
            latencies = [_latency(study, p) for p in parts]
            if not parts:
                pass
            elif any(x is None for x in latencies):
                missing = [p for p, x in zip(parts, latencies, strict=True) if x is None]
                reasons.append(f"p99 latency unknown; give p99_latency_ms for "
                               f"{', '.join(missing)}")
            else:
                worst = max(x for x in latencies if x is not None)
                if worst > c.p99_latency_ms:
                    reasons.append(f"p99 latency {worst:g} ms exceeds {c.p99_latency_ms:g} ms")
        out[name] = "; ".join(reasons) or None
    return out


def latency_conflicts(study: Study) -> dict[str, str]:
    """Strategies whose stated p99 meets the study's latency constraint while the serving
    model of their hardware says it cannot, with the model's reason.

    The study's figure is kept (it decides feasibility, as documented); the contradiction
    is said by :func:`latency_warnings`, in the verdict and by ``ftrisk serve``, so run and
    serve never disagree in silence.

    Examples
    --------
    >>> from sim import load_study  # doctest: +SKIP
    >>> latency_conflicts(load_study("studies/document_classification.toml"))  # doctest: +SKIP
    {'self_hosted_7b': 'p99 e2e latency cannot go below 3,163 ms on a10g-7b (50 ms required)'}
    """
    limit = study.constraints.p99_latency_ms
    if limit is None:
        return {}
    out = {}
    for name, s in study.strategies.items():
        stated = _latency(study, name)
        if not s.kind_spec.gpu_serving or stated is None or stated > limit:
            continue
        why = simulated_latency_reason(study, name)
        if why:
            out[name] = why
    return out


def latency_warning(study: Study, name: str, why: str) -> str:
    """The warning for one of :func:`latency_conflicts`."""
    s = study.strategies[name]
    stated = _latency(study, name)
    return (f"{s.label} ({name}) states p99_latency_ms = {stated:g}, within the "
            f"{study.constraints.p99_latency_ms:g} ms constraint, but the serving model of its "
            f"hardware disagrees: {why}. The study's figure decides feasibility here; check "
            f"it (ftrisk serve {study.file} --strategy {name}).")
