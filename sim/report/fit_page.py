"""The page of ``ftrisk fit --html``: the data against each fitted family, and P-P plots.

Charts are pure functions of the pre-aggregated frames of
:func:`distributions.fit_frames` (never the raw sample): the data's histogram as a density
with each family's fitted density (or mass, for counts) over it, and the P-P plot of the
empirical cdf against each fitted cdf (a good fit lies on the diagonal; the largest vertical
gap is the Kolmogorov–Smirnov distance).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import altair as alt
import polars as pl

from sim.report.page import html_page, table

if TYPE_CHECKING:
    from distributions import FitFrames, FitResult

__all__ = ["fit_chart", "fit_page", "pp_chart"]


def fit_chart(frames: FitFrames, *, title: str = "",
              discrete: bool = False) -> alt.LayerChart | alt.FacetChart:
    """Histogram of the data (as a density) with every fitted density over it.

    Examples
    --------
    >>> import numpy as np
    >>> from distributions import fit_data, fit_frames
    >>> res = fit_data(np.random.default_rng(0).gamma(3.0, 2.0, 300), n_boot=0)
    >>> spec = fit_chart(fit_frames(res, points=40)).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['bar', 'line']
    """
    bars = alt.Chart(frames.histogram, title=title).mark_bar(color="#c9d6ea").encode(
        x=alt.X("lo:Q", bin="binned", title="value"), x2="hi:Q",
        y=alt.Y("density:Q", title="mass per unit" if discrete else "density"),
        tooltip=["lo", "hi", "count"])
    lines = alt.Chart(frames.density).mark_line(
        point=discrete, interpolate="step-after" if discrete else "linear").encode(
        x="x:Q", y="density:Q", color=alt.Color("family:N", title="fitted"),
        tooltip=["family", "x", "density"])
    return alt.layer(bars, lines).properties(width=520, height=260)


def pp_chart(frames: FitFrames) -> alt.LayerChart | alt.FacetChart:
    """P-P plot: empirical cdf (x) against each fitted cdf (y), with the diagonal.

    Examples
    --------
    >>> import numpy as np
    >>> from distributions import fit_data, fit_frames
    >>> res = fit_data(np.random.default_rng(0).gamma(3.0, 2.0, 300), n_boot=0)
    >>> spec = pp_chart(fit_frames(res, points=40)).to_dict()
    >>> spec["layer"][1]["encoding"]["x"]["field"]
    'empirical'
    """
    diagonal = alt.Chart(pl.DataFrame({"p": [0.0, 1.0]})).mark_line(
        color="#999", strokeDash=[4, 4]).encode(x="p:Q", y="p:Q")
    points = alt.Chart(frames.pp).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("empirical:Q", title="empirical cdf", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("fitted:Q", title="fitted cdf", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("family:N", title="fitted"), tooltip=["family", "x", "empirical",
                                                              "fitted"])
    return alt.layer(diagonal, points).properties(width=320, height=300)


def _fmt(v: Any, digits: int = 4) -> str:
    if isinstance(v, float):
        return "–" if v != v else f"{v:.{digits}g}"
    return str(v)


def fit_page(result: FitResult, frames: FitFrames, *, title: str) -> str:
    """A self-contained page: the ranking table, the charts and the value to paste."""
    t = result.table()
    rows = [[r["family"], r["k"], _fmt(r["loglik"], 8), _fmt(r["aic"], 8),
             _fmt(r["delta_aic"], 3), _fmt(r["aic_weight"], 3), _fmt(r["delta_bic"], 3),
             r["test"] or "–", _fmt(r["statistic"]), _fmt(r["p_value"], 3), r["params"]]
            for r in t.iter_rows(named=True)]
    head = ["family", "k", "log L", "AIC", "ΔAIC", "weight", "ΔBIC", "test", "statistic",
            "p-value", "estimates ± se"]
    best = result.best
    notes = "".join(f"<li>{html.escape(f.family)}: {html.escape(f.note)}</li>"
                    for f in result.fits if f.note)
    notes += "".join(f"<li>{html.escape(k)} not fitted: {html.escape(v)}</li>"
                     for k, v in result.skipped.items())
    body = f"""<h1>{html.escape(title)}</h1>
<p class="answer">Best by AIC: <b>{html.escape(best.family)}</b>, to paste into a study:
<code>{html.escape(best.toml_value())}</code></p>
<p class="muted">{result.n:,} rows ({html.escape(result.support)} data). Ranked by AIC
(2k − 2 log L); a difference above ~2 favours the lower, above ~10 decisively; the weight
is each family's Akaike weight. KS: Kolmogorov–Smirnov distance with a parametric-bootstrap
p-value; chi2: Pearson's chi-square for counts.</p>
{table(head, rows)}
{f"<ul>{notes}</ul>" if notes else ""}
<h2>Data and fitted densities</h2><div class="chart" id="chart-fit"></div>
<h2>P-P plot</h2><div class="chart" id="chart-pp"></div>
"""
    specs = {"fit": fit_chart(frames, discrete=best.discrete).to_dict(),
             "pp": pp_chart(frames).to_dict()}
    return html_page(title, body, specs)
