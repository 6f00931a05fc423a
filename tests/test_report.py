"""report.html renders offline and carries every section; charts are fed aggregates only."""

from __future__ import annotations

import html
import re

import pytest

from sim import load_study, run, run_to_folder
from sim.display import money_short, percent
from sim.report.charts import fan_chart, npv_chart, payback_cdf_chart
from sim.report.run_report import inputs_table

from helpers import STUDIES


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("r") / "legal"
    result = run_to_folder(load_study(STUDIES / "legal_contracts.toml").replace(samples=5000), out)
    return result, (out / "report.html").read_text(encoding="utf-8")


def test_no_external_scripts_or_styles(report):
    _, page = report
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=\"?https?:", page)
    assert "cdn.jsdelivr" not in page
    assert "vegaEmbed(" in page and "function" in page[:200_000]


def test_sections_and_answer(report):
    result, page = report
    for heading in ("Summary", "The spreadsheet beside the distribution", "When does it pay back?",
                    "Cumulative net saving", "NPV", "Inputs", "Assumptions", "Manifest",
                    "What moves the spreadsheet's answer"):
        assert f"<h2>{heading}</h2>" in page
    assert result.summary.answer.split(" (")[0] in page
    # the lesson's sheet: $3,995 / ($660 saving + $1,200 lift) = 2.1 months; it leaves out
    # the median MLOps ($3,000/month); the decomposition shows the seed's 6.1 months first
    assert ("<b>Hosted fine-tuning</b>: the spreadsheet says 2.1 months (monthly saving $1.6K "
            "after amortization; it leaves out MLOps of $3.0K/month)") in page
    assert "<td>6.1 mo</td>" in page
    # the seed's own figure beside the distribution (summary.json: source_figure)
    assert "The source says: <b>saves ~$650/month, training ~$4K: payback ~6 months" in page
    assert result.summary.to_json()["source_figure"] == result.study.source_figure
    # every input is listed, defaults marked
    for inp in result.study.inputs():
        assert f">{inp.path}<" in page
    assert 'class="l muted">default<' in page


def test_an_unpriced_quality_lift_is_marked():
    # small_team states no review or error cost: its fine-tune's lift is "not priced"
    page = inputs_table(load_study(STUDIES / "small_team.toml"))
    row = page[page.index(">strategies.hosted_ft.quality_lift<"):]
    row = row[: row.index("</tr>")]
    assert "<b>default (not priced)</b>" in row
    assert "the baseline&#x27;s review and error rates" in row


def test_charts_are_small(report):
    result, _ = report
    for chart in (payback_cdf_chart(result.summary), fan_chart(result.fan),
                  npv_chart(result.summary)):
        spec = chart.to_dict()
        rows = sum(len(v) for v in spec.get("datasets", {}).values())
        assert 0 < rows < 500


def test_report_size_does_not_grow_with_samples(tmp_path):
    study = load_study(STUDIES / "legal_contracts.toml")
    sizes = []
    for n in (2000, 40_000):
        out = tmp_path / f"r{n}"
        run_to_folder(study.replace(samples=n), out)
        sizes.append((out / "report.html").stat().st_size)
    assert abs(sizes[0] - sizes[1]) < 20_000


def test_payback_cdf_frame_matches_summary():
    result = run(load_study(STUDIES / "legal_contracts.toml").replace(samples=3000))
    spec = payback_cdf_chart(result.summary).to_dict()
    (rows,) = [v for v in spec["datasets"].values() if len(v) > 1]
    p12 = next(r["p"] for r in rows if r["month"] == 12)
    assert p12 == result.summary.strategies["hosted_ft"].p_payback_within(12)


def test_decision_sections(report):
    result, page = report
    for heading in ("Which unknown matters most?", "Is it worth finding out first?",
                    "Break-even map"):
        assert f"<h2>{heading}</h2>" in page
    assert 'id="chart-comparison"' in page
    assert "before deciding is worth up to $" in page
    assert "CVaR 5%" in page and "E[regret]" in page
    s = result.summary.strategies["hosted_ft"]
    assert s.cvar5 <= s.npv_quantiles[0.05] <= s.npv_mean + 4 * s.npv_sd


def test_study_with_only_a_baseline(tmp_path, lesson_doc):
    from sim import study_from_dict

    del lesson_doc["strategies"]["self_hosted_7b"]
    out = run_to_folder(study_from_dict(lesson_doc), tmp_path / "o")
    assert out.summary.recommended == "frontier"
    page = (tmp_path / "o" / "report.html").read_text()
    assert "<h2>Summary</h2>" in page
    # no strategy to decompose: the run has a decomposition with no steps, and no section
    assert out.summary.decomposition is not None and out.summary.decomposition.steps == ()
    assert 'id="sec-decomposition"' not in page


def test_vega_lite_version_agrees_with_altair():
    """Our public-API reading of the Vega-Lite version matches altair's own helper."""
    from altair.utils._importers import vl_version_for_vl_convert

    from sim.report.page import vega_lite_version

    assert "v" + vega_lite_version().replace(".", "_") == vl_version_for_vl_convert()


def test_payback_cells_round_what_summary_json_keeps(tmp_path, lesson_doc):
    # every input fixed: payback month 3, fractional 15,096 / 5,283.278 = 2.857 (kept
    # unrounded in summary.json), shown to 0.1 month like the spreadsheet's own 2.857 -> 2.9
    from sim import study_from_dict

    out = tmp_path / "o"
    run_to_folder(study_from_dict(lesson_doc), out)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<td>3 mo (2.9)</td>" in page
    assert "<td>2.9 mo</td>" in page
    assert "a median payback of month 3 (2.9 months interpolated)" in page
    assert "Fractional payback: linear interpolation inside the payback month" in page


def test_the_verdict_and_three_figures_open_the_page(report):
    result, page = report
    s = result.summary
    verdict = html.escape(s.verdict)
    assert s.verdict.startswith("Stay on the Frontier API. Hosted fine-tuning pays back "
                                "within 12 months in ")
    assert page.index(f'<p class="verdict" id="verdict">{verdict}</p>') < page.index(
        '<section id="sec-summary">')
    figures = page[page.index('id="figures"'):page.index('<section id="sec-summary">')]
    assert figures.count('class="figure"') == 3
    p = s.strategies["hosted_ft"].p_payback_within(12)
    assert f'<div class="big">{percent(p)}</div>' in figures
    assert "of futures: Hosted fine-tuning pays back within 12 months" in figures
    sheet = s.strategies["hosted_ft"].point_estimate["payback_months"]
    assert ("the spreadsheet says it never pays back" if sheet == "never" else
            f"the spreadsheet says {sheet:.1f} months") in figures
    assert f'<div class="big">{money_short(s.strategies["hosted_ft"].npv_mean)}</div>' in figures
    assert "of futures: Frontier API is the best choice" in figures


def test_sections_in_order(report):
    _, page = report
    found = re.findall(r'<section id="sec-([a-z]+)">', page)
    # legal_contracts states a rank correlation (Shapley effects follow the sensitivity) and
    # an uncertain quality lift a pilot would measure (its value follows the EVPI)
    assert found == ["verdict", "summary", "spreadsheet", "decomposition", "payback", "fan",
                     "npv", "sensitivity", "shapley", "voi", "pilot", "sweep", "inputs",
                     "assumptions", "manifest"]


def test_inputs_are_rounded_with_units_and_the_manifest_is_a_table(report):
    result, page = report
    inputs = page[page.index('<section id="sec-inputs">'):page.index(
        '<section id="sec-assumptions">')]
    row = inputs[inputs.index(">workload.requests_per_day<"):]
    row = row[:row.index("</tr>")]
    assert "<td>3,571</td><td>5,000</td><td>7,000</td>" in row
    assert '<td class="l">requests/day</td>' in row
    assert "request volume in month 1</span>" in row  # the meaning, its unit in its column
    # three significant digits: no 5175.34 or -0.00281552
    row = inputs[inputs.index(">workload.monthly_growth<"):]
    assert "<td>-0.00282</td><td>0.01</td><td>0.0228</td>" in row[:row.index("</tr>")]
    assert not re.search(r"\d\.\d{6,}|\d{4}\.\d", inputs)
    manifest = page[page.index('<section id="sec-manifest">'):]
    assert '<table class="manifest">' in manifest and "<pre>" not in manifest
    t = result.manifest["timings"]
    assert f"simulate {t['simulate_s']:,.2f} s" in manifest
    assert f"<td class=\"l\">{result.study.sha256}</td>" in manifest


def test_the_summary_table_puts_what_decides_first(report):
    _, page = report
    summary = page[page.index('<table class="summary">'):]
    summary = summary[:summary.index("</table>")]
    assert re.findall(r"<th[^>]*>([^<]+)</th>", summary) == [
        "strategy", "P(payback ≤ 12)", "median payback", "E[NPV] ± se", "NPV P10 to P90",
        "P(best)"]
    assert 'Hosted fine-tuning<br><span class="id">hosted_ft</span>' in summary
    assert page.count('<table class="details">') == 2


def test_a_contradicted_latency_is_a_warning_on_the_page(tmp_path, lesson_doc):
    from sim import study_from_dict

    lesson_doc["strategies"]["self_hosted_7b"]["p99_latency_ms"] = 120
    lesson_doc["constraints"] = {"p99_latency_ms": 300}
    result = run_to_folder(study_from_dict(lesson_doc), tmp_path / "o")
    page = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    (warning,) = result.summary.warnings
    assert f'<div class="warning"><b>Check:</b> {html.escape(warning)}</div>' in page


#: Text a study file controls that the report shows, each hostile in its own way.
HOSTILE = {
    "name": '</title><script>alert("name")</script>',
    "description": "<img src=x onerror=alert('description')>",
    "source": "<b>R&D</b> notes",
}


def test_user_text_is_escaped_where_the_report_shows_it(tmp_path, lesson_doc):
    """The study's name is the page's title and its heading; description and source are
    the line under it: each escaped exactly there, none of their markup anywhere."""
    import json

    from sim import study_from_dict

    lesson_doc["study"].update(HOSTILE, samples=2000)
    run_to_folder(study_from_dict(lesson_doc), tmp_path / "o")
    page = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    name = "&lt;/title&gt;&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;"
    assert f"<title>ftrisk — {name}</title>" in page
    assert f"<h1>{name}</h1>" in page
    assert ('<p class="muted">Source: &lt;b&gt;R&amp;D&lt;/b&gt; notes. '
            "&lt;img src=x onerror=alert(&#x27;description&#x27;)&gt;</p>") in page
    for raw in HOSTILE.values():
        assert raw not in page, raw
    # nor any of their markup in another spelling (JSON escapes quotes, not tags)
    for tag in ("<script>alert", "</title><", "<img src=x", "<b>R&D"):
        assert tag not in page, tag
    assert json.dumps(HOSTILE["name"]) not in page


def test_decision_sections_note_the_first_32768_samples(monkeypatch):
    """A study of more than 2^15 = 32,768 samples: the first decision section says the
    analyses used only the first 32,768; at exactly 32,768 it says nothing."""
    from types import SimpleNamespace

    from sim.report import run_report
    from sim.report.sections import Section

    monkeypatch.setattr(run_report, "sensitivity_section",
                        lambda a: Section("Which unknown matters most?", "BODY", {}, "sensitivity"))
    monkeypatch.setattr(run_report, "voi_section",
                        lambda a: Section("Is it worth finding out first?", "VOI", {}, "voi"))
    analysis = SimpleNamespace(shapley=None, pilot=None, sweep=None)

    def sections(samples):
        result = SimpleNamespace(study=SimpleNamespace(samples=samples))
        return run_report.decision_sections(result, analysis)

    first, voi = sections(32_769)
    assert first.body == ('<p class="muted">From the first 32,768 samples; '
                          "<code>ftrisk tornado</code> analyses more.</p>BODY")
    assert voi.body == "VOI"
    assert [s.body for s in sections(32_768)] == ["BODY", "VOI"]


def test_the_fan_chart_names_strategies_by_their_labels(report):
    """The fan chart's legend shows each strategy's display name, never its id: the
    default names of legal_contracts' hosted_ft and prompted_mini (an API kind)."""
    import json

    _, page = report
    start = page.index("vegaEmbed('#chart-fan', ") + len("vegaEmbed('#chart-fan', ")
    spec, _ = json.JSONDecoder().raw_decode(page[start:])
    labels = {row["label"] for rows in spec["datasets"].values() for row in rows
              if "label" in row}
    assert labels == {"Hosted fine-tuning", "Prompted mini API"}
