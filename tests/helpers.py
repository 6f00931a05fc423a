"""Helpers shared by the tests: paths, the lesson's configuration, a TOML writer."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STUDIES = ROOT / "studies"
#: Every bundled study file (studies/portfolio.toml is a portfolio, not a study).
STUDY_FILES = sorted(p for p in STUDIES.glob("*.toml") if p.name != "portfolio.toml")

#: The lesson's example configuration (seed 001, compute_roi "Example usage"), every input
#: fixed, review rates equal so the quality delta is 0.
LESSON: dict[str, Any] = {
    "study": {"name": "lesson", "baseline": "frontier", "samples": 64, "seed": 1,
              "horizon_months": 36, "payback_within": [3, 6, 12, 24]},
    "workload": {"requests_per_day": 50_000, "input_tokens": 500, "output_tokens": 200},
    "strategies": {
        "frontier": {"kind": "api", "input_price": 5.0, "output_price": 15.0,
                     "review_rate": 0.02, "cost_per_review": 5.0},
        "self_hosted_7b": {
            "kind": "self_hosted", "model_size_b": 7, "gpu_hourly": 2.06, "instances": 2,
            "engineering_hours": 100, "hourly_rate": 150, "training_runs": 8,
            "compute_per_run": 12.0, "review_rate": 0.02, "cost_per_review": 5.0,
        },
    },
}


def write_toml(path: Path, doc: dict[str, Any]) -> Path:  # noqa: C901
    """Write a (simple) study document as TOML."""
    lines: list[str] = []

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace('"', '\\"') + '"'
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return repr(v)

    def table(prefix: str, d: dict[str, Any]) -> None:
        scalars = {k: v for k, v in d.items() if not (isinstance(v, dict) and prefix in
                                                        ("", "strategies"))}
        if prefix and prefix != "strategies":
            lines.append(f"[{prefix}]")
            for k, v in scalars.items():
                lines.append(f"{k} = {value(v)}")
            lines.append("")
        for k, v in d.items():
            if isinstance(v, dict) and prefix in ("", "strategies"):
                table(f"{prefix}.{k}" if prefix else k, v)

    corr = doc.get("correlations", [])
    table("", {k: v for k, v in doc.items() if k != "correlations"})
    for c in corr:
        lines.append("[[correlations]]")
        for k, v in c.items():
            lines.append(f"{k} = {value(v)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def spearman_se(rho: float, n: int) -> float:
    """Standard error of a sample Spearman correlation near ``rho`` over ``n`` pairs.

    Fieller, Hartley & Pearson (1957): atanh(r_s) has variance about 1.06 / (n - 3) for
    normal data; mapped back through d tanh = (1 - rho^2) dz. Iman–Conover pairs values
    more evenly than independent draws, so this bounds its scatter from above.
    """
    return (1.0 - rho * rho) * math.sqrt(1.06 / (n - 3))
