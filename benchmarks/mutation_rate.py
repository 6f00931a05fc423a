"""Print the mutation kill rate per module from a mutmut run (``benchmarks/mutation.sh``).

Reads the ``mutants/<module>.py.meta`` files mutmut writes. A mutant counts as *detected*
when a test failed on it (killed), crashed the test process (segfault, e.g. a broken array
handed to compiled code), ran past its time limit (timeout: the tests noticed an endless
loop) or the type checker rejected it; *survived* and *no tests* are missed.
Mutants named in ``benchmarks/mutation_equivalent.txt`` (changes that cannot alter any
result, each with its reason) are counted apart and left out of the adjusted rate.

Run: ``python benchmarks/mutation_rate.py [--survivors | --names-missed]`` from the
repository root.
"""

from __future__ import annotations

import argparse
import json
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


def main() -> None:
    """Print the table (and the missed mutants with ``--survivors``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", action="store_true", help="list the missed mutants")
    parser.add_argument("--names-missed", action="store_true",
                        help="print only the names of the missed mutants, one a line")
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    args = parser.parse_args()
    by_module = results(args.mutants)
    if not by_module:
        raise SystemExit(f"no mutmut results under {args.mutants}; run benchmarks/mutation.sh")
    equivalent = equivalent_mutants()
    verdicts = {module: {name: verdict(name, status, equivalent)
                         for name, status in statuses.items()}
                for module, statuses in by_module.items()}
    missed = [(name, by_module[module][name]) for module, v in verdicts.items()
              for name, what in v.items() if what == "missed"]
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
    if args.survivors and missed:
        print("\nmissed (inspect with `mutmut show NAME`):")
        print("\n".join(f"  {name}  [{status}]" for name, status in missed))


if __name__ == "__main__":
    main()
