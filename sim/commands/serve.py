"""``ftrisk serve STUDY --strategy S``: the serving simulation of a self-hosted strategy (§7)."""

from __future__ import annotations

import argparse
import dataclasses
import html
from pathlib import Path
from typing import Any

from sim.commands import EXIT_OK, error
from sim.commands._status import Status
from sim.commands.run import add_set_option

NAME = "serve"
ORDER = 50
HELP = "serving simulation: utilization, latency, replicas and $ for a self-hosted strategy"
DESCRIPTION = (
    "Simulate a day of serving for a self-hosted strategy (simpy, continuous batching): "
    "utilization, time to first token and end-to-end latency P50/P95/P99, queueing, "
    "replica-hours and $ per day and per 1M tokens, for the study's policy, the smallest "
    "fixed pool meeting [constraints] p99_latency_ms (or why none can), and hourly "
    "autoscaling. Writes "
    "serve_<strategy>.html (latency against load, replicas over the day) into --out.")

SWEEP_UTILIZATIONS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


@dataclasses.dataclass(frozen=True)
class _Serving:
    """What is simulated: the study's name, the strategy, its config, volume and seed."""

    name: str
    strategy: str
    config: Any
    requests_per_day: float
    seed: int


def add_arguments(r: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk serve``."""
    r.add_argument("study", help="study file (TOML)")
    r.add_argument("--strategy", required=True, metavar="S",
                   help='the name of a kind = "self_hosted" strategy of the study (required)')
    r.add_argument("--requests-per-day", type=float, metavar="N",
                   help="daily volume to simulate, requests/day (default: the median of "
                   "workload.requests_per_day)")
    r.add_argument("--seed", type=int, metavar="N",
                   help="random seed, a whole number (default: the study's [study] seed)")
    add_set_option(r, "strategies.x.max_batch=16")
    r.add_argument("--precision", type=int, default=20_000, metavar="N",
                   help="requests simulated per stationary run of the SLA search "
                   "(default: %(default)s)")
    r.add_argument("--out", help="folder for the chart page (default: out/<study-stem>/)")
    r.add_argument("--no-html", action="store_true", help="print only; write no chart page")


def _smallest_pool(cfg: Any, volume: float, seed: int, n: int) -> tuple[int | None, str]:
    """The smallest fixed pool meeting the SLA at ``volume`` (None when none can) and the
    sentence that says so."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.serving import latency_reason, min_replicas_for_sla

    if cfg.p99_latency_ms is None:
        return None, ("smallest pool: the study sets no latency SLA ([constraints] "
                      "p99_latency_ms), so none is searched")
    sla = f"p99 {cfg.latency_metric} <= {cfg.p99_latency_ms:g} ms"
    c = min_replicas_for_sla(cfg, requests_per_day=volume, seed=seed, n_requests=n)
    if c is None:
        fixed = dataclasses.replace(cfg, replicas=1, autoscaling=None)
        why = latency_reason(fixed, requests_per_day=volume, seed=seed, n_requests=n)
        return None, f"smallest pool: no fixed pool meets {sla}: {why}"
    return c, (f"smallest pool: {c} replica{'s meet' if c > 1 else ' meets'} {sla} at "
               f"{volume:,.0f} requests/day (busiest hour, fixed pool)")


def _policies(cfg: Any, volume: float, seed: int, n: int,
              smallest: int | None) -> list[tuple[str, Any, Any]]:
    """(label, config, hourly schedule) of each policy to simulate."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.serving import Autoscaling, hourly_schedule

    out: list[tuple[str, Any, Any]] = []
    sched = hourly_schedule(cfg, volume, seed=seed, n_requests=n)
    if cfg.replicas is not None:
        mark = " (study; smallest for SLA)" if smallest == cfg.replicas else " (study)"
        out.append((f"fixed {cfg.replicas}{mark}", cfg, sched))
    elif cfg.autoscaling is not None:
        a = cfg.autoscaling
        zero = ", scale to zero" if a.scale_to_zero else ""
        out.append((f"autoscaled {a.min_replicas}-{a.max_replicas}{zero} (study)", cfg, sched))
    else:
        out.append((f"fixed {int(sched.max())} (planned)", cfg, sched))
    if smallest is not None and smallest != cfg.replicas:
        fixed = dataclasses.replace(cfg, replicas=smallest, autoscaling=None)
        out.append((f"fixed {smallest} (smallest for SLA)", fixed, [smallest] * 24))
    if cfg.autoscaling is None:
        auto = dataclasses.replace(cfg, replicas=None, autoscaling=Autoscaling())
        out.append(("hourly autoscaling", auto,
                    hourly_schedule(auto, volume, seed=seed, n_requests=n)))
    return out


def stated_latency_note(study: Any, strategy: str, simulated_p99_ms: float) -> str | None:
    """A warning when the study states a p99 for the strategy below what the simulation of
    its own policy gives (the same contradiction ``ftrisk run`` flags), else None."""
    inp = study.strategies[strategy].inputs.get("p99_latency_ms")
    if inp is None or simulated_p99_ms <= inp.dist.median:
        return None
    limit = study.constraints.p99_latency_ms
    run = (f"ftrisk run takes the study's figure for the {limit:g} ms constraint and flags "
           "the contradiction" if limit is not None and inp.dist.median <= limit else
           "ftrisk run takes the study's figure")
    return (f"warning: the study states p99_latency_ms = {inp.dist.median:g} for {strategy}, "
            f"but this simulation of its policy gives a p99 of {simulated_p99_ms:,.0f} ms; "
            f"{run}. Check the figure or the hardware.")


def _row(label: str, sched: Any, day: Any) -> list[str]:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import money

    lo, hi = int(min(sched)), int(max(sched))
    counts = f"{lo}" if lo == hi else f"{lo}-{hi}"
    sla = "-" if day.sla_met is None else ("met" if day.sla_met else "MISSED")
    return [label, counts, f"{day.replica_hours_per_day:,.1f}", money(day.cost_per_day),
            f"${day.cost_per_1m_tokens:,.3f}", f"{day.utilization:.1%}",
            f"{day.ttft.p50_ms:,.0f} / {day.ttft.p99_ms:,.0f}",
            f"{day.e2e.p50_ms:,.0f} / {day.e2e.p95_ms:,.0f} / {day.e2e.p99_ms:,.0f}",
            f"{day.mean_wait_ms:,.1f}", f"{day.p_wait:.3f}", sla]


def _header_text(s: Any, volume: float) -> str:
    cfg = s.config
    p = cfg.profile
    opts = [f"batch {cfg.batch}"]
    if cfg.quantization != "none":
        opts.append(cfg.quantization)
    if cfg.speculative_decoding:
        opts.append("speculative decoding")
    sla = ("none" if cfg.p99_latency_ms is None
           else f"p99 {cfg.latency_metric} <= {cfg.p99_latency_ms:g} ms")
    tokens = cfg.capacity_per_replica * cfg.mean_tokens
    return (f"{s.strategy}: {p.name} ({p.gpus_per_replica}x {p.gpu}, "
            f"${cfg.price_per_hour:.2f}/replica-hour), {', '.join(opts)}\n"
            f"workload: {volume:,.0f} requests/day, {cfg.input_tokens.mean:,.0f} input + "
            f"{cfg.output_tokens.mean:,.0f} output tokens per request (mean), busiest hour "
            f"{max(cfg.hourly_weights):.2f}x the average\n"
            f"one full replica: {cfg.capacity_per_replica:,.2f} requests/s "
            f"({tokens:,.0f} tokens/s); SLA: {sla}")


#: Most requests in the simulated day: the simulation follows every request (about 15 s and
#: 0.5 GB per million requests), so bigger days would take minutes and gigabytes.
MAX_DAY_REQUESTS = 2_000_000
#: Fewest expected requests in the simulated day: one an hour (with fewer, a day can hold no
#: request at all, and its latencies and $ per token are undefined).
MIN_DAY_REQUESTS = 24
#: Most requests per stationary run of the SLA search (it runs dozens of them).
MAX_PRECISION = 1_000_000


def _flag_problem(args: argparse.Namespace, study_volume: float) -> str | None:
    """What is wrong with the flags (or the study's volume for the simulated day), or None."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from distributions import fmt
    from sim.commands._flags import MAX_SEED, flag_problems, number_problem, whole_problem
    from sim.study.schema import REQUESTS

    problem = flag_problems(
        ("--precision", whole_problem(args.precision, 1000, MAX_PRECISION,
                                      "requests per stationary run")),
        ("--seed", None if args.seed is None else whole_problem(args.seed, 0, MAX_SEED)))
    if problem:
        return problem
    if args.requests_per_day is not None:
        bad = number_problem(args.requests_per_day, REQUESTS)
        if bad:
            return f"--requests-per-day {bad}"
    volume = args.requests_per_day or study_volume
    where = ("--requests-per-day" if args.requests_per_day is not None
             else "the median of workload.requests_per_day")
    if volume < MIN_DAY_REQUESTS:
        return (f"{where}: {fmt(volume)} requests/day; the serving simulation measures the "
                f"requests of one day and needs at least {MIN_DAY_REQUESTS} (one an hour): "
                "give a larger --requests-per-day")
    if volume > MAX_DAY_REQUESTS:
        return (f"{where}: {volume:,.0f} requests/day; the serving simulation follows each "
                f"request of the day, at most {MAX_DAY_REQUESTS:,}: give a smaller "
                "--requests-per-day (replicas grow about in proportion), or use ftrisk run "
                'with instances = "simulated" for the whole fleet')
    return None


def run(args: argparse.Namespace) -> int:
    """Simulate the strategy's serving day; print the table; write the chart page."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    import polars as pl

    from distributions import fmt
    from sim.display import text_table
    from sim.serving import simulate_day
    from sim.serving.from_study import serving_config, typical_volume
    from sim.study import load_study
    from sim.study.errors import OutputError, StudyError

    try:
        study = load_study(args.study, overrides=args.set)
    except StudyError as err:
        return error(str(err))
    strategy = study.strategies.get(args.strategy)
    serving = [n for n, x in study.strategies.items() if x.serving is not None]
    if strategy is None or strategy.serving is None:
        what = ("is not a strategy of the study" if strategy is None
                else f"is a {strategy.kind} strategy, not one serving on its own GPUs")
        return error(f"--strategy {args.strategy}: {what}; use one of "
                     f"{', '.join(serving) or '(none: add a self_hosted strategy)'}")
    s = _Serving(study.name, args.strategy, serving_config(study, args.strategy),
                 typical_volume(study), study.seed)
    problem = _flag_problem(args, s.requests_per_day)
    if problem:
        return error(problem)
    out = Path(args.out) if args.out else Path("out") / Path(args.study).stem
    page = out / f"serve_{s.strategy}.html"
    if not args.no_html:
        try:
            _check_page(out, page)
        except OutputError as err:
            return error(str(err))
    volume = args.requests_per_day or s.requests_per_day
    seed = s.seed if args.seed is None else args.seed
    with Status() as status:
        status.stage("serving simulation: the smallest pool meeting the SLA"
                     + _first_run(s.config, seed, args.precision))
        smallest, pool_line = _smallest_pool(s.config, volume, seed, args.precision)
        rows, hourly, days = [], [], []
        for label, cfg, sched in _policies(s.config, volume, seed, args.precision, smallest):
            status.stage(f"serving simulation: a day with {label}")
            day = simulate_day(cfg, requests_per_day=volume, rng=seed, replicas=sched)
            if day.requests == 0:
                return error(f"--seed {seed}: the simulated day at {fmt(volume)} requests/day "
                             "drew no request, so nothing can be measured; give a larger "
                             "--requests-per-day or another --seed")
            rows.append(_row(label, sched, day))
            hourly.append(day.hourly.with_columns(policy=pl.lit(label)))
            days.append(day)
        if not args.no_html:
            status.stage("chart page: latency against load")
            sweep = _latency_sweep(s.config, pl.concat(hourly), seed, args.precision)
    header = ["policy", "replicas", "replica-h/day", "$/day", "$/1M tok", "util",
              "TTFT p50/p99 ms", "e2e p50/p95/p99 ms", "wait ms", "P(wait)", "SLA"]
    print(_header_text(s, volume))
    print()
    print(text_table(header, rows))
    print(f"one simulated day each ({days[0].requests:,} requests, seed {seed}); replicas: "
          "the hourly counts (0: on demand, scale to zero).")
    print(pool_line)
    first = rows[0]
    print(f"\n{s.strategy} serves {volume:,.0f} requests/day with {first[0]} at "
          f"{first[2]} replica-hours/day, {first[3]}/day ({first[4]} per 1M tokens), "
          f"utilization {first[5]}.")
    metric = days[0].ttft if s.config.latency_metric == "ttft" else days[0].e2e
    note = stated_latency_note(study, s.strategy, metric.p99_ms)
    if note:
        print(note)
    if not args.no_html:
        _write_html(page, s, volume, rows, header, pl.concat(hourly), sweep, pool_line)
        print(f"\nwrote {page}")
    return EXIT_OK


def _first_run(cfg: Any, seed: int, n: int) -> str:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.serving.sla import table_cached

    return "" if table_cached(cfg, seed=seed, n_requests=n) else (
        " (the first run builds a cache; later runs reuse it)")


def _latency_sweep(cfg: Any, hourly: Any, seed: int, n: int) -> Any:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.serving import latency_sweep

    peak = max(1, int(hourly["replicas"].max()))
    return peak, latency_sweep(cfg, replicas=peak, utilizations=SWEEP_UTILIZATIONS,
                               n_requests=min(max(n, 20 * peak * cfg.batch), MAX_DAY_REQUESTS),
                               rng=seed)


def _check_page(out: Path, page: Path) -> None:
    """Raise OutputError unless the page can be written into ``out`` (writes nothing)."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.report.files import check_parent, os_errors_as_output
    from sim.study.errors import OutputError

    with os_errors_as_output("--out", out):
        if out.exists() and not out.is_dir():
            raise OutputError("--out", out, "exists and is not a folder; choose a folder")
        if page.is_dir() or (page.exists() and not page.is_file()):
            raise OutputError("--out", out, f"{page} is in the way (not a file); move it or "
                              "choose another --out")
        check_parent(page, flag="--out", shown=out)


def _write_html(path: Path, s: Any, volume: float, rows: list[list[str]], header: list[str],
                hourly: Any, sweep: Any, pool_line: str) -> None:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.report.page import table
    from sim.report.serving_charts import latency_load_chart, replicas_day_chart, write_page

    peak, frame = sweep
    intro = (f"<pre>{html.escape(_header_text(s, volume))}</pre>"
             f"<p>{html.escape(pool_line)}</p>")
    write_page(path, f"{s.name}: serving {s.strategy}", [
        ("Policies", intro + table(header, rows), None),
        (f"Latency against load ({peak} replicas, constant load)",
         "<p>Stationary runs at each utilization on common random numbers.</p>",
         latency_load_chart(frame, sla_ms=s.config.p99_latency_ms)),
        ("Replicas over the day", "", replicas_day_chart(
            hourly.select("policy", "hour", "replicas", "requests"))),
    ])
