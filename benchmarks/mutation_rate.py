"""Print the mutation kill rate per module from a mutmut run (``benchmarks/mutation.sh``).

Reads the ``mutants/<module>.py.meta`` files mutmut writes. A mutant counts as *detected*
when a test failed on it (killed), crashed the test process (segfault, e.g. a broken array
handed to compiled code), ran past its time limit (timeout: the tests noticed an endless
loop) or the type checker rejected it; *survived* and *no tests* are missed.
Mutants named in ``benchmarks/mutation_equivalent.txt`` (changes that cannot alter any
result, each with its reason) are counted apart and left out of the adjusted rate.

A full run is hours on two cores, so the kill rate can also be *estimated* from a random
sample: ``--sample N --seed S`` draws N mutants per group (the cost core, the decision
analysis, the sampling plans, the report's escaping) from those mutmut generated, and
``--only FILE`` reports each group's rate over the mutants named in FILE with its binomial
standard error sqrt(p(1 - p) / n) and a 90% Wilson interval (simple random sampling; the
finite-population correction is left out, so both are slightly conservative).

Run: ``python benchmarks/mutation_rate.py [--survivors | --names-missed | --names-unrun]
[--only FILE]``
or ``python benchmarks/mutation_rate.py --sample N --seed S`` from the repository root.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = Path(__file__).with_name("mutation_equivalent.txt")

#: mutmut's exit codes (mutmut.stats.status_by_exit_code), reduced to what the rate needs.
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests",
          34: "skipped", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout",
          255: "timeout", 37: "type check", -11: "segfault", -9: "segfault",
          None: "not checked"}
DETECTED = {"killed", "segfault", "timeout", "type check"}

#: the groups the rate is reported for (and a sample is drawn from): module path prefix
GROUPS = {"costs": "sim/costs/", "decision": "sim/decision/",
          "sampling": "distributions/sampling.py", "report": "sim/report/"}
#: z for a two-sided 90% interval
Z90 = 1.6448536269514722


def group_of(module: str) -> str:
    """The group of a module path (``sim/costs/api.py`` -> ``costs``), or ``other``."""
    return next((g for g, prefix in GROUPS.items() if module.startswith(prefix)), "other")


def sample_names(by_module: dict[str, dict[str, str]], n: int, seed: int) -> list[str]:
    """``n`` mutant names per group (all of a smaller group), a simple random sample.

    The same generated mutants and seed give the same sample (names sorted first).

    >>> mods = {"sim/costs/a.py": {f"c{i}": "killed" for i in range(5)},
    ...         "distributions/sampling.py": {"s1": "survived"}}
    >>> sample_names(mods, 2, seed=1) == sample_names(mods, 2, seed=1)
    True
    >>> len(sample_names(mods, 2, seed=1))
    3
    """
    by_group: dict[str, list[str]] = {}
    for module, statuses in by_module.items():
        by_group.setdefault(group_of(module), []).extend(statuses)
    rng = random.Random(seed)
    out: list[str] = []
    for group in sorted(by_group):
        names = sorted(by_group[group])
        out += sorted(rng.sample(names, min(n, len(names))))
    return out


def rate_with_error(detected: int, n: int) -> tuple[float, float, float, float]:
    """Kill rate p = detected / n, its binomial standard error and 90% Wilson interval.

    >>> p, se, lo, hi = rate_with_error(72, 80)
    >>> round(p, 3), round(se, 4), round(lo, 3), round(hi, 3)
    (0.9, 0.0335, 0.831, 0.943)
    """
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan
    p = detected / n
    se = math.sqrt(p * (1 - p) / n)
    z2 = Z90 * Z90
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z90 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return p, se, centre - half, centre + half


def equivalent_mutants(path: Path = EQUIVALENT) -> dict[str, str]:
    """Mutant name -> reason, from lines ``name  # reason`` (blank and # lines skipped)."""
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, reason = line.partition("#")
        if name.strip():
            out[name.strip()] = reason.strip()
    return out


def results(mutants: Path) -> dict[str, dict[str, str]]:
    """Module path -> {mutant name: status}."""
    out: dict[str, dict[str, str]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = meta.relative_to(mutants).as_posix().removesuffix(".meta")
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if codes:
            out[module] = {k: STATUS.get(v, "suspicious") for k, v in codes.items()}
    return out


def verdict(name: str, status: str, equivalent: dict[str, str]) -> str:
    """'detected', 'missed', 'equivalent' or 'unrun'."""
    if status == "not checked":
        return "unrun"
    if status in DETECTED:
        return "detected"
    return "equivalent" if name in equivalent else "missed"


def row(label: str, c: Counter[str]) -> str:
    """One line of the table."""
    run = c["detected"] + c["missed"] + c["equivalent"]
    rate = c["detected"] / max(run, 1)
    adjusted = c["detected"] / max(run - c["equivalent"], 1)
    return (f"{label:<34} {run:>7} {c['detected']:>8} {c['missed']:>6} {c['equivalent']:>5} "
            f"{c['unrun']:>5} {rate:>9.1%} {adjusted:>8.1%}")


def group_table(verdicts: dict[str, dict[str, str]]) -> None:
    """The estimated kill rate per group (over the verdicts given: a sample)."""
    by_group: dict[str, Counter[str]] = {}
    for module, v in verdicts.items():
        by_group.setdefault(group_of(module), Counter()).update(v.values())
    print(f"{'group':<10} {'sample':>6} {'detected':>8} {'missed':>6} {'equiv':>5} {'unrun':>5}"
          f"  {'raw rate':>16}  {'adjusted rate ± se':>18}  {'90% interval':>13}")
    for group in sorted(by_group):
        c = by_group[group]
        run = c["detected"] + c["missed"] + c["equivalent"]
        raw = rate_with_error(c["detected"], run)
        p, se, lo, hi = rate_with_error(c["detected"], run - c["equivalent"])
        print(f"{group:<10} {run:>6} {c['detected']:>8} {c['missed']:>6} {c['equivalent']:>5} "
              f"{c['unrun']:>5}  {raw[0]:>7.1%} ± {raw[1]:>5.1%}  {p:>9.1%} ± {se:>5.1%}  "
              f"{lo:>5.1%}-{hi:.1%}")


def main() -> None:
    """Print the table (and the missed mutants with ``--survivors``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", action="store_true", help="list the missed mutants")
    parser.add_argument("--names-missed", action="store_true",
                        help="print only the names of the missed mutants, one a line")
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="print N random mutant names per group, one a line")
    parser.add_argument("--seed", type=int, default=1, help="the sample's seed (default 1)")
    parser.add_argument("--names-unrun", action="store_true",
                        help="print only the names of the mutants not yet tested, one a line")
    parser.add_argument("--only", type=Path, metavar="FILE",
                        help="only the mutants named in FILE (a sample), rates per group ± se")
    args = parser.parse_args()
    by_module = results(args.mutants)
    if not by_module:
        raise SystemExit(f"no mutmut results under {args.mutants}; run benchmarks/mutation.sh")
    if args.sample is not None:
        print("\n".join(sample_names(by_module, args.sample, args.seed)))
        return
    if args.only is not None:
        wanted = set(args.only.read_text(encoding="utf-8").split())
        by_module = {module: {k: v for k, v in statuses.items() if k in wanted}
                     for module, statuses in by_module.items()}
        by_module = {module: statuses for module, statuses in by_module.items() if statuses}
    equivalent = equivalent_mutants()
    verdicts = {module: {name: verdict(name, status, equivalent)
                         for name, status in statuses.items()}
                for module, statuses in by_module.items()}
    missed = [(name, by_module[module][name]) for module, v in verdicts.items()
              for name, what in v.items() if what == "missed"]
    if args.names_unrun:
        print("\n".join(name for v in verdicts.values() for name, what in v.items()
                        if what == "unrun"))
        return
    if args.names_missed:
        print("\n".join(name for name, _ in missed))
        return
    print(f"{'module':<34} {'mutants':>7} {'detected':>8} {'missed':>6} {'equiv':>5} "
          f"{'unrun':>5} {'kill rate':>9} {'adjusted':>8}")
    total: Counter[str] = Counter()
    for module, v in verdicts.items():
        c = Counter(v.values())
        total.update(c)
        print(row(module, c))
    print(row("total", total))
    if args.only is not None:
        print(f"\nestimated from the sample in {args.only}:")
        group_table(verdicts)
    if args.survivors and missed:
        print("\nmissed (inspect with `mutmut show NAME`):")
        print("\n".join(f"  {name}  [{status}]" for name, status in missed))


if __name__ == "__main__":
    main()
