"""Latency of ``ftrisk app``: from a slider release to updated figures.

Run from the repository root::

    python benchmarks/bench_app.py                        # 10^4, 2x10^4 and 10^5 samples
    python benchmarks/bench_app.py --samples 20000 --study studies/enterprise.toml

The page is driven headless with Streamlit's ``AppTest``: after a first run (imports,
serving curves), the median of the request volume is moved to a new value each time and the
page's rerun is timed by the page itself (``ftrisk.timing`` in its session state): "to
figures" is the edited study validated, simulated at the same seed (common random numbers)
with its tornado, and the verdict and figures table sent (Streamlit streams them to the
browser as they are made); "to last chart" adds building the five charts. The browser's
drawing is not included. "simulation" is ``sim.app.compute`` alone. Target (issue 14):
<= 300 ms at 2x10^4 samples.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(study: Path, samples: int, repeats: int
            ) -> tuple[list[float], list[float], list[float]]:
    """Seconds of each page rerun after an edit: to the verdict and figures table, to the
    last chart, and of the simulation inside it."""
    from streamlit.testing.v1 import AppTest

    from sim.app.page import SAMPLES_KEY, TIMING_KEY, input_key

    os.environ["FTRISK_APP_STUDY"] = str(study)
    sid = study.stem
    at = AppTest.from_file(str(ROOT / "sim" / "app" / "page.py"), default_timeout=600)
    at.session_state[f"{SAMPLES_KEY}|{sid}"] = samples
    at.run()
    if at.exception or at.error:
        raise SystemExit(f"the page failed: {[e.message for e in at.exception]} "
                         f"{[e.value for e in at.error]}")
    slider = at.slider(key=input_key(sid, "workload.requests_per_day", "p50"))
    p10, p90 = at.slider(key=input_key(sid, "workload.requests_per_day", "spread")).value
    figures, page, sim = [], [], []
    for i in range(repeats):
        value = p10 + (p90 - p10) * (i + 1) / (repeats + 1)  # a new value: no cache hit
        value = round(value / slider.step) * slider.step
        at.slider(key=input_key(sid, "workload.requests_per_day", "p50")).set_value(value).run()
        figures.append(at.session_state[TIMING_KEY]["figures"])
        page.append(at.session_state[TIMING_KEY]["charts"])
        assert p10 < value < p90 and not at.exception and not at.error
        caption = next(c.value for c in at.caption if "computed in" in c.value)
        sim.append(float(caption.rsplit("computed in ", 1)[1].split(" s")[0]))
    return figures, page, sim


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--study", type=Path, default=ROOT / "studies" / "legal_contracts.toml")
    p.add_argument("--samples", type=int, action="append")
    p.add_argument("--repeats", type=int, default=7)
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    print(f"{args.study.name}: median (min-max) of {args.repeats} edits of the request volume")
    print(f"{'samples':>9}  {'to figures ms':>22}  {'to last chart ms':>22}  "
          f"{'simulation ms':>22}")
    for n in args.samples or [10_000, 20_000, 100_000]:
        figures, page, sim = measure(args.study, n, args.repeats)
        fmt = lambda xs: (f"{statistics.median(xs) * 1e3:7.0f} ({min(xs) * 1e3:.0f}-"  # noqa: E731
                          f"{max(xs) * 1e3:.0f})")
        print(f"{n:>9,}  {fmt(figures):>22}  {fmt(page):>22}  {fmt(sim):>22}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
