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
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from distributions import Distribution, DistributionError, parse
from distributions.empirical import SUFFIXES
from sim.app.compute import Live, compute, full_report
from sim.app.draft import Draft, domain_of, fixed_value, ordered_inputs, quantiles_value
from sim.app.uploads import stage
from sim.costs.calculator import api_costs
from sim.display import median_payback, money, months, prob, probability
from sim.report.charts import fan_chart, input_chart, npv_chart, payback_cdf_chart
from sim.report.decision_charts import comparison_chart, tornado_chart
from sim.report.run_report import spreadsheet_vs_distribution
from sim.report.sections import comparison_frame
from sim.runner import StrategySummary, Summary, feasibility
from sim.study import Constraints, Input, Study, StudyError
from sim.study.card_inputs import card_inputs
from sim.study.cards import CARDS, CARDS_BY_KEY, Card
from sim.study.catalog import api_price, list_api_prices
from sim.study.loader import CARD_INPUTS

#: The bundled studies (the repository's studies/ folder).
STUDIES = Path(__file__).resolve().parents[2] / "studies"
#: Environment variable naming the study ``ftrisk app STUDY`` opens (sim.commands.app).
STUDY_ENV = "FTRISK_APP_STUDY"
#: The page's sample counts: at most this many to start with; "more samples" doubles.
START_SAMPLES = 20_000
MAX_SAMPLES = 640_000
UPLOAD = "(upload a study file)"
#: Session-state key of the current edited study's TOML (what "Save as study" downloads).
TOML_KEY = "ftrisk.toml"
SAMPLES_KEY = "ftrisk.samples"
#: What the baseline's payback cells read (it pays nothing back: it is what runs today).
BASELINE = "baseline"
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
        return _upload()
    path = studies.get(name) or Path(given or "")
    try:
        return path.read_text(encoding="utf-8"), str(path), name
    except OSError as err:
        st.error(f"{path}: cannot be read ({err.strerror})")
        return None


def _upload() -> tuple[str, str, str] | None:
    """The uploaded study, with the data files it reads staged beside it (None: nothing
    usable uploaded yet; a banner says why)."""
    up = st.sidebar.file_uploader("Study file (TOML)", type=["toml"], key="upload")
    extra = st.sidebar.file_uploader(
        "Data files the study reads (empirical = { file = ... })", key="upload_data",
        type=[s.lstrip(".") for s in SUFFIXES], accept_multiple_files=True)
    if up is None:
        st.info("Choose a bundled study, or upload a study file.")
        return None
    try:
        text = up.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        st.error(f"{up.name}: is not UTF-8 text; save it as UTF-8 TOML")
        return None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return text, up.name, f"upload:{up.name}"  # the loader names the syntax error
    data = {f.name: f.getvalue() for f in extra or []}
    file, problems = stage(up.name, text, doc, data)
    for message in problems:
        st.error(message, icon="⚠️")
    return None if problems else (text, file, f"upload:{up.name}")


@st.cache_resource(max_entries=48, show_spinner=False)
def _live(text: str, file: str) -> Live:
    return compute(_base(text, file))


@st.cache_resource(max_entries=48, show_spinner=False)
def _base(text: str, file: str) -> Study:
    """The study of a TOML text, validated by the loader (the original or an edited one)."""
    return Draft(text, file).study()


def chart_spec(chart: Any) -> dict[str, Any]:
    """The Vega-Lite spec of an altair chart as the page sends it, built without
    re-validating the schema (the report's builders are tested against it; validation is
    most of the time a chart takes), so a cached spec costs little to send again. Its
    datasets stay lists of records, the form Streamlit's public ``st.vega_lite_chart``
    documents."""
    spec: dict[str, Any] = chart.to_dict(validate=False)
    return spec


def _spec(spec: dict[str, Any], width: str = "content") -> None:
    st.vega_lite_chart(spec, theme=None, width=width)  # type: ignore[call-overload]


@st.cache_resource(max_entries=512, show_spinner=False)
def _input_spec(key: str, _dist: Distribution) -> dict[str, Any]:
    """The distribution chart of an input (``key`` names the distribution)."""
    return chart_spec(input_chart(_dist).properties(width="container"))


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
        if owner in draft.off or draft.constraints.get(inp.key, "") is None:
            continue  # its strategy switched off, or the card adding these hours
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
def _effects_cached(text: str, file: str, key: str, value: Any) -> dict[str, str]:
    written = tomllib.loads(text).get("constraints", {})
    return card_effects(_base(text, file), key, value,
                        written if isinstance(written, dict) else {})


def card_effects(study: Study, key: str, value: Any, written: Mapping[str, Any] | None = None
                 ) -> dict[str, str]:
    """What the one constraint card ``key`` = ``value`` does to each strategy, alone: the
    reason it excludes it (a latency limit may run the serving simulation of a self-hosted
    strategy), or the work it adds to its project (or why it adds none). ``written``: the
    study's ``[constraints]`` table as written (the hours an ``adds`` card states).

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> card_effects(load_study("studies/legal_contracts.toml"), "eval_harness", False)
    ... # doctest: +SKIP
    {'hosted_ft': 'building an eval harness: 8-16 h (uniform, median 12) added to its project'}
    """
    card = CARDS_BY_KEY[key]
    probe = Constraints(latency_metric=study.constraints.latency_metric, **{key: value})
    if card.effect == "adds":
        doc = {k: v for k, v in (written or {}).items() if k == card.hours_key}
        try:
            _, additions = card_inputs(study.file, doc, probe, study.strategies, CARD_INPUTS)
        except StudyError as err:
            return {"?": str(err)}
        return {a.strategy: a.text for a in additions}
    alone = study.replace(constraints=probe)
    try:
        return {n: why for n, why in feasibility(alone).items() if why}
    except Exception as err:  # a serving model that cannot be built: say so, keep the page
        return {"?": f"cannot be checked ({err})"}


def _label(study: Study, name: str) -> str:
    s = study.strategies.get(name)
    return s.label if s is not None else name


def card_value(card: Card, on: bool, limit: float | None = None) -> Any:
    """The ``[constraints]`` value that switches ``card`` on (None: off, the key removed).

    Examples
    --------
    >>> sre, portable = CARDS_BY_KEY["ml_sre_capacity"], CARDS_BY_KEY["vendor_portability"]
    >>> card_value(sre, True), card_value(portable, True), card_value(sre, False)
    (False, True, None)
    """
    if not on:
        return None
    return limit if card.key == "p99_latency_ms" else not card.default


def _card(study: Study, draft: Draft, sid: str, card: Card) -> Draft:
    """One card: a toggle with the page's question, and what it does to each strategy."""
    key = card.key
    now = getattr(study.constraints, key)
    was_on = card.is_on(now)
    on = st.toggle(card.title, value=was_on, key=f"{sid}|constraint|{key}",
                   help=_md(f"{card.page}"))
    st.caption(_md(card.question))
    limit: float | None = None
    if key == "p99_latency_ms":
        limit = float(st.number_input(
            "p99 limit (ms)", min_value=1.0, max_value=60_000.0,
            value=float(now or 300.0), step=10.0, disabled=not on,
            key=f"{sid}|constraint|{key}|ms"))
    value = card_value(card, on, limit)
    if value != card_value(card, was_on, now if key == "p99_latency_ms" else None):
        draft = draft.with_constraint(key, value)
        if not on and card.hours_key is not None:
            draft = draft.with_constraint(card.hours_key, None)
    probe = card_value(card, True, limit if limit is not None else 300.0)
    effects = _effects_cached(draft.text, draft.file, key, probe)
    out = {n: w for n, w in effects.items() if n not in draft.off}
    if card.effect == "adds":
        verb = "adds" if on else "would add"
    else:
        verb = "rules out" if on else "would rule out"
    if out:
        lines = [f"- **{_md(_label(study, n))}**: {_md(why)}" for n, why in out.items()]
        st.markdown("\n".join([f"{verb}:", *lines]))
    else:
        st.caption(f"{verb} {'nothing' if card.effect == 'adds' else 'no strategy'} here")
    return draft


def _constraints(study: Study, draft: Draft, sid: str) -> Draft:
    st.subheader("Constraints")
    st.caption("Cost is not the only dimension: a strategy that breaks a constraint is "
               "still simulated but never recommended; a card that adds work puts its "
               "hours into each fine-tuned strategy's project.")
    for card in CARDS:
        with st.container(border=True, key=f"card_{card.key}"):
            draft = _card(study, draft, sid, card)
    return draft


# -- results ----------------------------------------------------------------------------


def figures_frame(summary: Summary) -> pl.DataFrame:
    """The page's table of figures, one column per strategy compared (by its label) and one
    row per figure, written as ``ftrisk run`` writes them in the terminal: P(payback <= N)
    with its standard error for every N of the study, the median payback, E[NPV] with its
    standard error, NPV P10 and P90, P(best), the spreadsheet's payback and whether the
    strategy meets the constraints. The baseline's payback cells read "baseline".

    Examples
    --------
    >>> figures_frame(compute(study).summary)["figure"][0]  # doctest: +SKIP
    'P(payback ≤ 6 mo)'
    """
    study = summary.study
    names: dict[str, str] = {}
    for s in summary.strategies.values():
        label = s.label or s.name
        names[s.name] = label if label not in names.values() else f"{label} ({s.name})"
    rows: list[tuple[str, dict[str, str]]] = []

    def add(figure: str, cell: Callable[[StrategySummary], str], baseline: str | None = None
            ) -> None:
        rows.append((figure, {
            names[s.name]: baseline if s.is_baseline and baseline is not None else cell(s)
            for s in summary.strategies.values()}))

    def within(n: int) -> Callable[[StrategySummary], str]:
        return lambda s: probability(s.p_payback_within(n), s.se(s.p_payback_within(n)))

    for n in study.payback_within:
        add(f"P(payback ≤ {n} mo)", within(n), BASELINE)
    add("median payback", lambda s: median_payback(
        s.payback_median_months, s.payback_median_fractional, study.horizon_months), BASELINE)
    add("E[NPV] ± se", lambda s: f"{money(s.npv_mean)} ± {s.npv_mean_se:,.0f}")
    add("NPV P10", lambda s: money(s.npv_quantiles[0.1]))
    add("NPV P90", lambda s: money(s.npv_quantiles[0.9]))
    add("P(best)", lambda s: "excluded" if s.p_best is None else prob(s.p_best))
    add("spreadsheet payback", lambda s: months(s.point_estimate.get("payback_months")) or "–",
        BASELINE)
    add("constraints", lambda s: "excluded" if s.infeasible_reason else "met")
    return pl.DataFrame([{"figure": f, **cells} for f, cells in rows])


def table_cell(text: str) -> str:
    r"""A cell of st.table, which reads markdown: dollars not LaTeX, "> 36 mo" not a quote.

    Examples
    --------
    >>> table_cell("> 36 mo"), table_cell("-$1,234 ± 5")
    ('\\> 36 mo', '-\\$1,234 ± 5')
    """
    text = _md(text)
    return "\\" + text if text.startswith(">") else text


def _table(summary: Summary) -> None:
    frame = figures_frame(summary).to_pandas().set_index("figure")
    st.table(frame.map(table_cell))  # st.table reads its cells as markdown
    out = [s for s in summary.strategies.values() if s.infeasible_reason]
    if out:
        st.markdown("\n".join(f"- **{_md(s.label or s.name)}** is excluded: "
                               f"{_md(s.infeasible_reason or '')}" for s in out))


def _results(draft: Draft) -> None:
    try:
        text = draft.toml()
        study = _base(text, draft.file)
    except StudyError as err:
        st.error(str(err), icon="⚠️")
        st.session_state.pop(TOML_KEY, None)
        return
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
                   f"± = Monte Carlo standard error; spreadsheet payback = its payback at "
                   f"the medians; computed in {live.seconds:.2f} s."))
    _table(summary)
    _lap("figures")
    if study.source_figure:
        st.markdown(_md(f"**The source's point figure:** {study.source_figure}"))
    st.html(spreadsheet_vs_distribution(summary))
    for spec in _result_specs(text, draft.file):
        _spec(spec)
    _lap("charts")


@st.cache_resource(max_entries=48, show_spinner=False)
def _result_specs(text: str, file: str) -> list[dict[str, Any]]:
    """The result charts of an edited study (built once per state of the study): the
    payback CDF, the saving fan, the NPV distributions, the comparison and the tornado."""
    live = _live(text, file)
    summary = live.summary
    labels = {s.name: s.label or s.name for s in summary.strategies.values()}
    charts: list[alt.TopLevelMixin] = [payback_cdf_chart(summary), fan_chart(live.fan, labels),
                                       npv_chart(summary)]
    if len(summary.strategies) > 1:
        charts.append(comparison_chart(comparison_frame(summary)))
    if live.tornado is not None and live.focus is not None:
        charts.append(tornado_chart(
            live.tornado, label="E[NPV]",
            title=f"Tornado: E[NPV] of {labels[live.focus]}, each input at P10 / P90"))
    return [chart_spec(c) for c in charts]


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
