"""The study model: inputs, strategies, correlations, constraints and the study itself."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

from distributions import Distribution
from sim.study.cards import CARDS, CardAddition
from sim.study.fitted import FittedSource
from sim.study.kinds import KINDS, Kind
from sim.study.labels import default_label

#: How the recommended strategy is picked: max E[NPV], max P(payback <= N), or max CVaR 5%.
Criterion = Literal["npv", "payback", "cvar"]
CRITERIA: tuple[str, ...] = get_args(Criterion)
#: How each criterion reads in a sentence ({n}: the headline months).
CRITERION_LABELS = {"npv": "max E[NPV]", "payback": "max P(payback ≤ {n})",
                    "cvar": "max CVaR 5%, risk-averse"}
#: Top-level keys of summary.json; a strategy may not take one of these names.
RESERVED = frozenset({"study", "baseline", "samples", "seed", "sampling", "horizon_months",
                      "discount_rate", "criterion", "recommended", "answer", "strategies",
                      "constraints", "verdict", "warnings", "value_of_information",
                      "decomposition", "source_figure", "constraint_cards",
                      "break_even_mode", "break_even"})


@dataclass(frozen=True)
class Constraints:
    """Requirements a strategy must meet to be recommended (docs/study-file.md,
    ``[constraints]``).

    Attributes
    ----------
    data_on_premises : bool
        Request data may not leave the company: API and hosted strategies are infeasible.
    p99_latency_ms : float or None
        Largest acceptable p99 latency; a strategy's ``p99_latency_ms`` must not exceed it.
    vendor_portability : bool
        The model must be movable between vendors: vendor-hosted fine-tuning is infeasible.
    latency_metric : {"e2e", "ttft"}
        Which latency the serving simulation checks: end to end, or time to first token.
    ml_sre_capacity : bool
        False: no ML/SRE capacity, strategies serving on GPUs of their own are infeasible.
    vendor_no_train_terms : bool
        True: a fine-tune trained at a vendor is infeasible unless it states no_train_terms.
    data_provenance_documented : bool
        False: documenting the data's provenance is added to each fine-tuned project.
    eval_harness : bool
        False: building an eval harness is added to each fine-tuned project.

    The constraint cards (:mod:`sim.study.cards`) say what each asks and does.
    """

    data_on_premises: bool = False
    p99_latency_ms: float | None = None
    vendor_portability: bool = False
    latency_metric: str = "e2e"
    ml_sre_capacity: bool = True
    vendor_no_train_terms: bool = False
    data_provenance_documented: bool = True
    eval_harness: bool = True

    @property
    def any(self) -> bool:
        """True when at least one constraint that can exclude a strategy is set."""
        return (self.data_on_premises or self.vendor_portability
                or self.p99_latency_ms is not None or not self.ml_sre_capacity
                or self.vendor_no_train_terms)

    def cards_on(self) -> list[str]:
        """The keys of the constraint cards this study switches on, in the page's order.

        Examples
        --------
        >>> Constraints(eval_harness=False, p99_latency_ms=300.0).cards_on()
        ['eval_harness', 'p99_latency_ms']
        """
        return [c.key for c in CARDS if c.is_on(getattr(self, c.key))]


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
    note : str
        Where a value came from when not from the study file (e.g. the price catalog, a
        fit to the price history, a constraint card).
    unit : str
        What the number counts or costs, e.g. ``"$/1M tokens"`` (its key's
        :attr:`~sim.study.schema.Field.unit`).
    fit : FittedSource or None
        The fit a ``{ fitted = ... }`` value was drawn from (:mod:`sim.study.fitted`).
    """

    path: str
    dist: Distribution
    is_default: bool
    help: str
    note: str = ""
    unit: str = ""
    fit: FittedSource | None = None

    @property
    def meaning(self) -> str:
        """The help text without its ``[unit]`` suffix (for tables with a unit column)."""
        return self.help.removesuffix(f" [{self.unit}]") if self.unit else self.help

    @property
    def uncertain(self) -> bool:
        """True unless the value is known exactly."""
        return not self.dist.is_fixed

    @property
    def key(self) -> str:
        """The last part of the path."""
        return self.path.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class AutoscalingSettings:
    """Hourly autoscaling of the serving pool (see :class:`sim.serving.Autoscaling`)."""

    min_replicas: int = 1
    max_replicas: int = 1000
    cold_start_s: float = 120.0
    idle_timeout_s: float = 300.0
    scale_to_zero: bool = False


@dataclass(frozen=True)
class ServingSettings:
    """How a self-hosted strategy serves, for the serving simulation.

    Attributes
    ----------
    hardware : str
        Hardware profile (``hardware = ...``, else the profile closest to ``model_size_b``).
    hourly_usd : float
        $ per replica-hour (``gpu_hourly`` or the catalog's ``gpu``).
    tokens_per_s : float or None
        A measured aggregate throughput replacing the profile's.
    max_batch : int or None
        Sequences a replica serves at once (None: the profile's reference batch).
    quantization : {"none", "int8", "int4"}
    speculative_decoding : bool
    simulated : bool
        ``instances = "simulated"``: the cost core reads replica-hours from the simulation.
    replicas : int or None
        A fixed pool (``instances`` = a number).
    autoscaling : AutoscalingSettings or None
        Hourly autoscaling (any of ``min_replicas``, ``max_replicas``, ``scale_to_zero``).
    target_utilization : float or None
        Planning utilization, when the study gives one.

    Examples
    --------
    >>> ServingSettings("a10g-7b", 1.03).quantization
    'none'
    """

    hardware: str
    hourly_usd: float
    tokens_per_s: float | None = None
    max_batch: int | None = None
    quantization: str = "none"
    speculative_decoding: bool = False
    simulated: bool = False
    replicas: int | None = None
    autoscaling: AutoscalingSettings | None = None
    target_utilization: float | None = None


@dataclass(frozen=True)
class Strategy:
    """One way to serve the workload."""

    name: str
    kind: str
    inputs: dict[str, Input]
    options: dict[str, Any]
    is_baseline: bool
    #: how it serves, for a kind that serves on our own GPUs (:attr:`Kind.gpu_serving`)
    serving: ServingSettings | None = None

    @property
    def kind_spec(self) -> Kind:
        """What this strategy's kind takes and how it differs from the other kinds."""
        return KINDS[self.kind]

    @property
    def parts(self) -> tuple[str, ...]:
        """The strategies this one is made of (a routing strategy's primary and fallback),
        or just its own name."""
        keys = self.kind_spec.components
        return tuple(self.options[k] for k in keys) if keys else (self.name,)

    @property
    def label(self) -> str:
        """Its display name: the study's ``label``, else one made from its id.

        Examples
        --------
        >>> Strategy("hosted_ft", "hosted_ft", {}, {}, False).label
        'Hosted fine-tuning'
        >>> Strategy("frontier", "api", {}, {"label": "GPT-4o"}, True).label
        'GPT-4o'
        """
        given = self.options.get("label")
        return given if given else default_label(self.name, self.kind_spec.label_suffix)

    @property
    def standalone(self) -> bool:
        """False for a strategy that only serves as a part of a routing strategy."""
        return bool(self.options.get("standalone", True))


@dataclass(frozen=True)
class Correlation:
    """A stated rank correlation between two uncertain inputs."""

    a: str
    b: str
    rank: float


@dataclass(frozen=True)
class VolumeProcess:
    """Monthly request volume as a geometric random walk with drift (docs/model.md,
    "Workload"): ``V(t) = V0 exp(sum_{k=2..t} (drift - volatility**2 / 2 + volatility
    Z_k)) season(t)``, the shocks ``Z_k`` standard normal, one per sample and month.

    Attributes
    ----------
    drift, volatility : Input
        Per month, fixed or uncertain (``workload.volume_process.drift`` / ``.volatility``).
    seasonality : tuple of 12 floats
        Multipliers of months 1..12 of the horizon (then again from month 13), mean 1;
        all 1 without seasonality.

    Examples
    --------
    >>> from distributions import Fixed
    >>> p = VolumeProcess(Input("workload.volume_process.drift", Fixed(0.01), False, ""),
    ...                   Input("workload.volume_process.volatility", Fixed(0.1), False, ""))
    >>> p.seasonal, p.season(13)
    (False, 1.0)
    """

    drift: Input
    volatility: Input
    seasonality: tuple[float, ...] = (1.0,) * 12

    @property
    def inputs(self) -> list[Input]:
        """The drift and the volatility."""
        return [self.drift, self.volatility]

    @property
    def seasonal(self) -> bool:
        """True when some month's multiplier is not 1."""
        return any(s != 1.0 for s in self.seasonality)

    def season(self, t: int) -> float:
        """The multiplier of month t (1-based): ``seasonality[(t - 1) % 12]``."""
        return self.seasonality[(t - 1) % 12]


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
    constraints: Constraints = field(default_factory=Constraints)
    file: str = "<study>"
    sha256: str = ""
    defaults: frozenset[str] = field(default_factory=frozenset)
    #: 24 weights of the traffic's day shape (00:00 first), when the study gives them
    hourly_profile: tuple[float, ...] | None = None
    #: what the source says, as a point figure ("payback ~6 months, plus a 20%+ accuracy
    #: lift"), shown beside the distribution
    source_figure: str = ""
    #: inputs of the constraint cards that add work (``constraints.eval_harness_hours``)
    card_inputs: dict[str, Input] = field(default_factory=dict)
    #: what those cards added to each strategy's project (or why not)
    card_additions: tuple[CardAddition, ...] = ()
    #: monthly volume as a stochastic process instead of ``monthly_growth`` (or None)
    volume_process: VolumeProcess | None = None

    def inputs(self) -> list[Input]:
        """Every input: the workload's (its volume process's last), then each strategy's,
        in schema order, then the constraint cards' (hours a card adds)."""
        out = list(self.workload.values())
        if self.volume_process is not None:
            out.extend(self.volume_process.inputs)
        for s in self.strategies.values():
            out.extend(s.inputs.values())
        out.extend(self.card_inputs.values())
        return out

    def added_hours(self, strategy: str) -> tuple[str, ...]:
        """The input paths of the hours the constraint cards add to a strategy's project."""
        return tuple(a.input for a in self.card_additions
                     if a.strategy == strategy and a.input is not None)

    def compared(self) -> list[str]:
        """Names of the strategies compared (all but routing-only components)."""
        return [n for n, s in self.strategies.items() if s.standalone]

    def uncertain_inputs(self) -> list[Input]:
        """The inputs that are sampled (not fixed)."""
        return [i for i in self.inputs() if i.uncertain]

    def inputs_of(self, name: str) -> list[Input]:
        """The inputs a strategy's NPV is computed from: the workload's, its own, those of
        the strategies it is made of (routing) and the baseline's (its NPV is against the
        baseline). No other input can move it; any effect of one is sampling noise.

        Examples
        --------
        >>> from sim.study import load_study  # doctest: +SKIP
        >>> study = load_study("studies/enterprise.toml")  # doctest: +SKIP
        >>> [i.path for i in study.inputs_of("hosted_ft")][:2]  # doctest: +SKIP
        ['workload.requests_per_day', 'workload.input_tokens']
        """
        owners = {name, self.baseline, *self.strategies[name].parts,
                  *self.strategies[self.baseline].parts}
        prefixes = tuple(f"strategies.{o}." for o in owners)
        return [i for i in self.inputs()
                if i.path.startswith("workload.") or i.path.startswith(prefixes)]

    def input(self, path: str) -> Input:
        """Look up an input by its path (``strategies.x.key``, ``x.key`` or ``workload.key``)."""
        full = full_path(path, self.strategies)
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


def full_path(path: str, strategies: Mapping[str, Any]) -> str:
    head = path.split(".", 1)[0]
    if head in strategies and head not in ("workload", "strategies"):
        return f"strategies.{path}"
    return path
