"""The ``ftrisk app`` page (run by ``streamlit run``; ``ftrisk app`` starts it).

Left, what the user changes: the strategies compared, the constraint cards (each naming
the strategies it rules out and why), and every uncertain input with its distribution and
sliders for its median and its P10-P90 spread, or fixed; workload, growth and price declines
first. Right, what follows, recomputed on every change at the study's seed (common random
numbers): the verdict, P(payback <= N) with its standard error per strategy beside the
spreadsheet's payback, the payback CDF, the cumulative-saving fan, the NPV comparison and
the tornado. Other tabs: the per-call/day/month/year cost calculator for catalog models, and
"Save as study" / "Full report" downloads.

Everything the page simulates is :meth:`sim.app.draft.Draft.study`, the edited TOML text
validated by the loader, so the saved file reproduces the page's figures with ``ftrisk
run``. A study the loader refuses shows its message in a banner; the page reads only the
bundled studies, the file ``ftrisk app STUDY`` was given and files the user uploads.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from distributions import Distribution, DistributionError, parse
from sim.app.compute import Live, compute, full_report
from sim.app.draft import Draft, domain_of, fixed_value, ordered_inputs, quantiles_value
from sim.costs.calculator import api_costs
from sim.display import median_payback, months
from sim.report.charts import fan_chart, input_chart, npv_chart, payback_cdf_chart
from sim.report.decision_charts import comparison_chart, tornado_chart
from sim.report.run_report import spreadsheet_vs_distribution
from sim.report.sections import comparison_frame
from sim.runner import feasibility
from sim.study import Constraints, Input, Study, StudyError
from sim.study.catalog import api_price, list_api_prices
from sim.study.loader import CONSTRAINT_KEYS

#: The bundled studies (the repository's studies/ folder).
STUDIES = Path(__file__).resolve().parents[2] / "studies"
#: Environment variable naming the study ``ftrisk app STUDY`` opens (sim.commands.app).
STUDY_ENV = "FTRISK_APP_STUDY"
#: The page's sample counts: at most this many to start with; "more samples" doubles.
START_SAMPLES = 20_000
MAX_SAMPLES = 640_000
UPLOAD = "(upload a study file)"
#: Constraint cards: key -> (title, what it asks).
CARDS = {
    "data_on_premises": ("Data stays on premises", "request data may not leave the company"),
    "p99_latency_ms": ("p99 latency", "every strategy must meet a p99 latency"),
    "vendor_portability": ("Portability", "the model must move between vendors without "
                           "retraining"),
}
#: Session-state key of the current edited study's TOML (what "Save as study" downloads).
TOML_KEY = "ftrisk.toml"
SAMPLES_KEY = "ftrisk.samples"
TIMING_KEY = "ftrisk.timing"


def _md(text: str) -> str:
    """Plain text for st.markdown: dollars not read as LaTeX."""
    return text.replace("$", r"\$")


def bundled() -> dict[str, Path]:
    """The bundled studies by name (file stem)."""
    if not STUDIES.is_dir():
        return {}
    # a portfolio file (studies/portfolio.toml, ftrisk portfolio) is not a study
    return {p.stem: p for p in sorted(STUDIES.glob("*.toml"))
            if "\n[portfolio]" not in "\n" + p.read_text(encoding="utf-8")}


def _source() -> tuple[str, str, str] | None:
    """The study chosen in the sidebar: (TOML text, file name, id), or None."""
    studies = bundled()
    given = os.environ.get(STUDY_ENV)
    names = list(studies)
    if given and Path(given).stem not in studies:
        names.insert(0, Path(given).stem)
    names.append(UPLOAD)
    first = Path(given).stem if given else "legal_contracts"
    index = names.index(first) if first in names else 0
    name = st.sidebar.selectbox("Study", names, index=index, key="study",
                                help="the bundled scenarios (team sizes and use cases)")
    if name == UPLOAD:
        up = st.sidebar.file_uploader("Study file (TOML)", type=["toml"], key="upload")
        if up is None:
            return None
        try:
            return up.getvalue().decode("utf-8"), up.name, f"upload:{up.name}"
        except UnicodeDecodeError:
            st.error(f"{up.name}: is not UTF-8 text; save it as UTF-8 TOML")
            return None
    path = studies.get(name) or Path(given or "")
    try:
        return path.read_text(encoding="utf-8"), str(path), name
    except OSError as err:
        st.error(f"{path}: cannot be read ({err.strerror})")
        return None


@st.cache_resource(max_entries=48, show_spinner=False)
def _live(text: str, file: str) -> Live:
    return compute(Draft(text, file).study())


@st.cache_resource(max_entries=8, show_spinner=False)
def _base(text: str, file: str) -> Study:
    return Draft(text, file).study()


def _chart(chart: Any, width: str = "content") -> None:
    """An altair chart with the report's own theme, its spec built without re-validating
    the schema (the report's builders are tested against it; validation is most of the
    time a chart takes)."""
    _spec(chart.to_dict(validate=False), width)


def _spec(spec: dict[str, Any], width: str = "content") -> None:
    st.vega_lite_chart(spec, theme=None, width=width)  # type: ignore[call-overload]


@st.cache_resource(max_entries=512, show_spinner=False)
def _input_spec(key: str, _dist: Distribution) -> dict[str, Any]:
    """The distribution chart of an input (``key`` names the distribution)."""
    return input_chart(_dist).properties(width="container").to_dict(validate=False)


# -- inputs -----------------------------------------------------------------------------


def _nice(x: float) -> float:
    """The 1-2-5 step at or below ``x``."""
    if not x > 0 or not math.isfinite(x):
        return 1.0
    p = 10.0 ** math.floor(math.log10(x))
    return next(m * p for m in (5, 2, 1) if m * p <= x)


def slider_scale(study: Study, inp: Input) -> dict[str, Any]:
    """Slider bounds, step, format and the input's P10/P50/P90 rounded to the step.

    The bounds reach half the P1-P99 range beyond it on each side, inside the key's domain.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> s = load_study("studies/legal_contracts.toml")  # doctest: +SKIP
    >>> slider_scale(s, s.input("workload.requests_per_day"))["p50"]  # doctest: +SKIP
    5000.0
    """
    d = inp.dist
    q01, q10, q50, q90, q99 = (float(v) for v in d.ppf([0.01, 0.1, 0.5, 0.9, 0.99]))
    span = (q99 - q01) or abs(q50) or 1.0
    lo, hi = q01 - 0.5 * span, q99 + 0.5 * span
    dom = domain_of(study, inp.path)
    if dom is not None:
        lo, hi = max(lo, dom.lo), min(hi, dom.hi)
    integer = bool(dom and dom.integer) or d.integer
    step = _nice((hi - lo) / 200)
    if integer:
        step = max(1.0, round(step))
    decimals = max(0, -math.floor(math.log10(step)))

    def snap(x: float) -> float:
        return round(round(x / step) * step, decimals)

    lo, hi = snap(lo), snap(hi)
    if integer:
        return {"lo": int(lo), "hi": int(hi), "step": int(step), "format": "%d",
                "p10": int(snap(q10)), "p50": int(snap(q50)), "p90": int(snap(q90))}
    return {"lo": lo, "hi": hi, "step": step, "format": f"%.{decimals}f",
            "p10": snap(q10), "p50": snap(q50), "p90": snap(q90)}


def input_key(sid: str, path: str, what: str) -> str:
    """The widget key of one control of an input (``what``: fixed, p50 or spread)."""
    return f"{sid}|{path}|{what}"


def _input_controls(study: Study, inp: Input, sid: str) -> Any:
    """Chart and sliders of one input; its new study value, or None when unchanged."""
    sc = slider_scale(study, inp)
    chart = st.empty()
    fixed = st.checkbox("fixed", key=input_key(sid, inp.path, "fixed"),
                        help="known exactly: its central value")
    p50 = st.slider("central value (median)", sc["lo"], sc["hi"], sc["p50"], sc["step"],
                    format=sc["format"], key=input_key(sid, inp.path, "p50"))
    p10, p90 = st.slider("spread (P10 – P90)", sc["lo"], sc["hi"], (sc["p10"], sc["p90"]),
                         sc["step"], format=sc["format"], disabled=fixed,
                         key=input_key(sid, inp.path, "spread"))
    dom = domain_of(study, inp.path)
    value: Any = None
    dist = inp.dist
    if fixed:
        value = fixed_value(p50, dom)
    elif (p10, p50, p90) != (sc["p10"], sc["p50"], sc["p90"]):
        value = quantiles_value(p10, p50, p90, dom)
    if value is not None:
        try:
            dist = parse(value, name=inp.path)
        except DistributionError:
            dist = inp.dist
    with chart.container():
        if dist.is_fixed:
            st.caption(f"fixed at {dist.mean:,.6g}")
        else:
            _spec(_input_spec(repr(dist), dist), "stretch")
    return value


def _inputs(study: Study, draft: Draft, sid: str) -> Draft:
    st.subheader("Uncertain inputs")
    st.caption("Workload, growth and price declines first. Move the median or the P10–P90 "
               "spread (the input becomes the smooth distribution through those three "
               "points), or fix it.")
    for n, inp in enumerate(ordered_inputs(study)):
        owner = inp.path.split(".")[1] if inp.path.startswith("strategies.") else ""
        if owner in draft.off:
            continue
        title = f"{inp.path.removeprefix('strategies.')}: {inp.meaning}"
        if inp.unit:
            title += f" [{inp.unit}]"
        with st.expander(title, expanded=n < 4):
            value = _input_controls(study, inp, sid)
        if value is not None:
            draft = draft.with_input(inp.path, value)
    return draft


# -- strategies and constraints -----------------------------------------------------------


def _strategies(study: Study, draft: Draft, sid: str) -> Draft:
    st.subheader("Strategies")
    off = set()
    for name in study.compared():
        s = study.strategies[name]
        on = st.toggle(f"{s.label} ({name})", value=True, key=f"{sid}|on|{name}",
                       disabled=name == study.baseline,
                       help="the baseline: what runs today" if name == study.baseline
                       else f"kind {s.kind}")
        if not on:
            off.add(name)
    return draft.with_off(off)


@st.cache_resource(max_entries=64, show_spinner="checking the constraint…")
def _excluded_cached(text: str, file: str, key: str, value: Any) -> dict[str, str]:
    return _excluded(_base(text, file), key, value)


def _excluded(study: Study, key: str, value: Any) -> dict[str, str]:
    """The strategies the one constraint ``key`` = ``value`` rules out, with the reason
    (a latency limit may run the serving simulation of a self-hosted strategy)."""
    c = {"data_on_premises": False, "vendor_portability": False, "p99_latency_ms": None,
         "latency_metric": study.constraints.latency_metric, key: value}
    alone = study.replace(constraints=Constraints(**c))
    try:
        return {n: why for n, why in feasibility(alone).items() if why}
    except Exception as err:  # a serving model that cannot be built: say so, keep the page
        return {"?": f"cannot be checked ({err})"}


def _label(study: Study, name: str) -> str:
    s = study.strategies.get(name)
    return s.label if s is not None else name


def _constraints(study: Study, draft: Draft, sid: str) -> Draft:
    st.subheader("Constraints")
    st.caption("Cost is not the only dimension: a strategy that breaks a constraint is "
               "still simulated but never recommended.")
    current = study.constraints
    for key, (title, what) in CARDS.items():
        if key not in CONSTRAINT_KEYS:
            continue
        with st.container(border=True, key=f"card_{key}"):
            now = getattr(current, key)
            on = st.toggle(title, value=bool(now), key=f"{sid}|constraint|{key}", help=what)
            probe: Any = True
            value: Any = True if on else None
            original: Any = True if now else None
            if key == "p99_latency_ms":
                probe = float(st.number_input(
                    "p99 limit (ms)", min_value=1.0, max_value=60_000.0,
                    value=float(now or 300.0), step=10.0, disabled=not on,
                    key=f"{sid}|constraint|{key}|ms"))
                value, original = (probe if on else None), now
            if value != original:
                draft = draft.with_constraint(key, value)
            excluded = _excluded_cached(draft.text, draft.file, key, probe)
            out = {n: w for n, w in excluded.items() if n not in draft.off}
            verb = "rules out" if on else "would rule out"
            if out:
                lines = [f"- **{_md(_label(study, n))}**: {_md(why)}" for n, why in out.items()]
                st.markdown("\n".join([f"{verb}:", *lines]))
            else:
                st.caption(f"{verb} no strategy")
    return draft


# -- results ----------------------------------------------------------------------------


def figures_frame(live: Live) -> pl.DataFrame:
    """The page's table of figures: per strategy compared, P(payback <= N) and its standard
    error for every N of the study, the median payback, E[NPV] and its standard error,
    NPV P10/P90, P(best), the spreadsheet payback and the constraint it breaks, exactly
    as the run's summary holds them.

    Examples
    --------
    >>> figures_frame(compute(study)).columns[:3]  # doctest: +SKIP
    ['strategy', 'label', 'P(pb≤6)']
    """
    study, summary = live.study, live.summary
    rows = []
    for s in summary.strategies.values():
        row: dict[str, Any] = {"strategy": s.name, "label": s.label or s.name}
        for n in study.payback_within:
            p = s.p_payback_within(n)
            row[f"P(pb≤{n})"] = None if s.is_baseline else p
            row[f"± se {n}"] = None if s.is_baseline else s.se(p)
        row["median pb"] = ("–" if s.is_baseline else median_payback(
            s.payback_median_months, s.payback_median_fractional, study.horizon_months))
        row["E[NPV]"] = s.npv_mean
        row["± se"] = s.npv_mean_se
        row["NPV P10"] = s.npv_quantiles[0.1]
        row["NPV P90"] = s.npv_quantiles[0.9]
        row["P(best)"] = s.p_best
        sheet = s.point_estimate.get("payback_months")
        row["sheet pb"] = "–" if s.is_baseline else (months(sheet) or "–")
        row["constraint"] = s.infeasible_reason or ""
        rows.append(row)
    return pl.DataFrame(rows)


def _table(live: Live) -> None:
    frame = figures_frame(live)
    config: dict[str, Any] = {"strategy": None}
    for c in frame.columns:
        if c.startswith("P("):
            config[c] = st.column_config.NumberColumn(c, format="%.3f")
        elif c.startswith("± se "):
            config[c] = st.column_config.NumberColumn("±", format="%.4f")
        elif c in ("E[NPV]", "± se", "NPV P10", "NPV P90"):
            config[c] = st.column_config.NumberColumn(c, format="dollar")
    st.dataframe(frame, hide_index=True, column_config=config, key="figures")


def _results(draft: Draft) -> None:
    try:
        study = draft.study()
    except StudyError as err:
        st.error(str(err), icon="⚠️")
        st.session_state.pop(TOML_KEY, None)
        return
    text = draft.toml()
    st.session_state[TOML_KEY] = text
    try:
        with st.spinner("simulating…"):
            live = _live(text, draft.file)
    except StudyError as err:
        st.error(str(err), icon="⚠️")
        return
    except Exception as err:  # never a crash: the message stays on the page
        st.error(f"the simulation failed: {type(err).__name__}: {err}", icon="⚠️")
        return
    summary = live.summary
    with st.container(key="verdict"):
        st.markdown(f"#### {_md(summary.verdict)}")
    for w in summary.warnings:
        st.warning(_md(w))
    st.caption(_md(f"{study.samples:,} samples ({study.sampling}, seed {study.seed}, the "
                   f"same draws on every change), horizon {study.horizon_months} months; "
                   f"± = Monte Carlo standard error; sheet pb = the spreadsheet's payback "
                   f"at the medians; computed in {live.seconds:.2f} s."))
    _table(live)
    _lap("figures")
    if study.source_figure:
        st.markdown(_md(f"**The source's point figure:** {study.source_figure}"))
    st.html(spreadsheet_vs_distribution(summary))
    labels = {s.name: s.label or s.name for s in summary.strategies.values()}
    charts: list[tuple[str, alt.TopLevelMixin]] = [
        ("payback", payback_cdf_chart(summary)),
        ("fan", fan_chart(live.fan, labels)),
        ("npv", npv_chart(summary)),
    ]
    if len(summary.strategies) > 1:
        charts.append(("comparison", comparison_chart(comparison_frame(summary))))
    if live.tornado is not None and live.focus is not None:
        charts.append(("tornado", tornado_chart(
            live.tornado, label="E[NPV]",
            title=f"Tornado: E[NPV] of {labels[live.focus]}, each input at P10 / P90")))
    for _, chart in charts:
        _chart(chart)
    _lap("charts")


# -- other tabs -------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _models() -> list[str]:
    return [p.model for p in list_api_prices()]


def _calculator(study: Study) -> None:
    st.subheader("Cost calculator")
    st.caption("Per call, day, month (30 days) and year (12 months) on catalog API models, "
               "at standard prices, with a prompt cache and through the batch API "
               "(as ftrisk cost).")
    models = _models()
    used = [s.options["model"] for s in study.strategies.values()
            if isinstance(s.options.get("model"), str) and s.options["model"] in models]
    pick = st.multiselect("models", models, default=list(dict.fromkeys(used))[:3] or models[:2],
                          key="calc|models")
    w = study.workload
    c1, c2, c3, c4 = st.columns(4)
    rpd = c1.number_input("requests/day", 0.0, 1e9, float(round(w["requests_per_day"].dist.median)),
                          key="calc|rpd")
    tin = c2.number_input("input tokens", 0.0, 1e7, float(round(w["input_tokens"].dist.median)),
                          key="calc|in")
    tout = c3.number_input("output tokens", 0.0, 1e7,
                           float(round(w["output_tokens"].dist.median)), key="calc|out")
    cache = c4.slider("cached share of input", 0.0, 1.0, 0.5, 0.05, key="calc|cache")
    rows = []
    for m in pick:
        price = api_price(m)
        for r in api_costs(price, rpd, tin, tout, cache_share=cache):
            rows.append({"model": m, "variant": r.variant, "per call": r.per_call,
                         "per day": r.per_day, "per month": r.per_month,
                         "per year": r.per_year})
    if rows:
        money = st.column_config.NumberColumn(format="dollar")
        st.dataframe(pl.DataFrame(rows), hide_index=True, key="calc|table", column_config={
            "per call": st.column_config.NumberColumn(format="$%.5f"), "per day": money,
            "per month": money, "per year": money})


def _save(draft: Draft) -> None:
    st.subheader("Save as study")
    text = st.session_state.get(TOML_KEY)
    if text is None:
        st.info("Fix the study first (see the message on the What-if tab).")
        return
    stem = Path(draft.file).stem
    st.caption("The edited study as TOML, with the page's sample count: `ftrisk run` on it "
               "gives the page's figures (same seed).")
    st.download_button("Save as study (.toml)", text, file_name=f"{stem}_edited.toml",
                       mime="application/toml", key="save")
    st.subheader("Full report")
    st.caption("The full analysis (sensitivity, Sobol', value of information, break-even "
               "map) as ftrisk run writes it: takes a while.")
    if st.button("Run the full analysis", key="report"):
        try:
            with st.spinner("running the full analysis…"):
                st.session_state["ftrisk.report"] = full_report(Draft(text, draft.file)
                                                                .study())
        except Exception as err:
            st.error(f"the report failed: {type(err).__name__}: {err}", icon="⚠️")
    if "ftrisk.report" in st.session_state:
        st.download_button("Download report.html", st.session_state["ftrisk.report"],
                           file_name=f"{stem}_report.html", mime="text/html",
                           key="report_download")


# -- page -------------------------------------------------------------------------------


def _samples(study: Study, sid: str) -> int:
    key = f"{SAMPLES_KEY}|{sid}"
    if key not in st.session_state:
        st.session_state[key] = min(study.samples, START_SAMPLES)
    st.sidebar.markdown(f"**Samples:** {st.session_state[key]:,} (seed {study.seed})")
    if st.sidebar.button("More samples (×2)", key="more",
                         disabled=st.session_state[key] >= MAX_SAMPLES):
        st.session_state[key] = min(st.session_state[key] * 2, MAX_SAMPLES)
        st.rerun()
    return int(st.session_state[key])


def _lap(what: str) -> None:
    """Record the seconds since this rerun started (``ftrisk.timing``: the benchmark reads
    it): to the verdict and figures table, and to the last chart."""
    st.session_state[TIMING_KEY][what] = time.perf_counter() - st.session_state[TIMING_KEY][
        "start"]


def main() -> None:
    """The page."""
    st.session_state[TIMING_KEY] = {"start": time.perf_counter()}
    st.set_page_config(page_title="ftrisk: should we fine-tune?", layout="wide")
    st.sidebar.title("ftrisk")
    chosen = _source()
    if chosen is None:
        st.info("Choose a bundled study, or upload a study file.")
        return
    text, file, sid = chosen
    try:
        study = _base(text, file)
    except StudyError as err:
        st.error(str(err), icon="⚠️")
        return
    st.title(study.name)
    if study.description:
        st.markdown(_md(study.description))
    if study.source:
        st.caption(_md(f"Source: {study.source}"))
    if study.source_figure:
        st.info(_md(f"The source says: {study.source_figure}"))
    n = _samples(study, sid)
    draft = Draft(text, file).with_samples(None if n == study.samples else n)
    whatif, calc, save = st.tabs(["What-if", "Cost calculator", "Save & report"])
    with whatif:
        left, right = st.columns([2, 3], gap="large")
        with left:
            draft = _strategies(study, draft, sid)
            draft = _constraints(study, draft, sid)
            draft = _inputs(study, draft, sid)
        with right:
            _results(draft)
    with calc:
        _calculator(study)
    with save:
        _save(draft)


if __name__ == "__main__":
    main()
