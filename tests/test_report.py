"""report.html renders offline and carries every section; charts are fed aggregates only."""

from __future__ import annotations

import html
import json
import re

import pytest

from sim import load_study, run, run_to_folder, study_from_dict
from sim.report.charts import fan_chart, npv_chart, payback_cdf_chart

from helpers import STUDIES


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("r") / "legal"
    result = run_to_folder(load_study(STUDIES / "legal_contracts.toml").replace(samples=5000), out)
    return result, (out / "report.html").read_text(encoding="utf-8")


def body_of(page: str) -> str:
    """The page's HTML between <body> and the chart script (the Vega bundle left out)."""
    return page.split("</head><body>", 1)[1].split('<script type="text/javascript">', 1)[0]


#: The report's sections, in order (the decision ones between NPV and Inputs).
SECTIONS = ["Summary", "The spreadsheet beside the distribution", "When does it pay back?",
            "Cumulative net saving", "NPV", "Which unknown matters most?",
            "Is it worth finding out first?", "Break-even map", "Inputs", "Assumptions",
            "Manifest"]


def test_page_is_offline_and_carries_every_section(report):
    """One test for the whole page: mutation testing maps the module fixture's render
    call to the first test that uses it, so what the page must hold is checked here."""
    from sim.report.html import ASSUMPTIONS

    result, page = report
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=\"?https?:", page)
    assert "cdn.jsdelivr" not in page
    assert "vegaEmbed(" in page and "function" in page[:200_000]
    body = body_of(page)
    assert re.findall(r"<h2>(.*?)</h2>", body) == SECTIONS
    assert result.summary.answer.split(" (")[0] in page
    assert "the spreadsheet says 6.3 months" in page
    # charts: one div and one embed each
    for key in ("payback", "fan", "npv", "comparison"):
        assert body.count(f'<div class="chart" id="chart-{key}"></div>') == 1, key
        assert page.count(f"vegaEmbed('#chart-{key}'") == 1, key
    assert "Bands from the first 5,000 samples; other figures from all 5,000." in body
    assert "From the first" not in body  # every sample was analysed
    # decision sections
    assert "before deciding is worth up to $" in body
    assert "CVaR 5%" in body and "E[regret]" in body
    s = result.summary.strategies["hosted_ft"]
    assert s.cvar5 <= s.npv_quantiles[0.05] <= s.npv_mean + 4 * s.npv_sd
    # every input is listed, defaults marked
    for inp in result.study.inputs():
        assert f">{inp.path}<" in page
    assert 'class="l muted">default<' in page
    assert "<h3>Uncertain inputs</h3>" in body and "<h3>Known values</h3>" in body
    assert "<ul>" + "".join(f"<li>{html.escape(a)}</li>" for a in ASSUMPTIONS) + "</ul>" in body
    # the manifest as written when the page was (before the report's own timing)
    shown = body.split("<h2>Manifest</h2>\n<pre>", 1)[1].split("</pre>", 1)[0]
    assert shown.startswith('{\n  &quot;ftrisk_version&quot;: ')  # indented by 2
    manifest = json.loads(html.unescape(shown))
    assert manifest == {**result.manifest, "timings": {
        k: v for k, v in result.manifest["timings"].items() if k != "report_s"}}
    assert "None" not in body and "XX" not in body


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
    page = (tmp_path / "r40000" / "report.html").read_text(encoding="utf-8")
    assert "Bands from the first 16,384 samples; other figures from all 40,000." in page


def test_payback_cdf_frame_matches_summary():
    result = run(load_study(STUDIES / "legal_contracts.toml").replace(samples=3000))
    spec = payback_cdf_chart(result.summary).to_dict()
    (rows,) = [v for v in spec["datasets"].values() if len(v) > 1]
    p12 = next(r["p"] for r in rows if r["month"] == 12)
    assert p12 == result.summary.strategies["hosted_ft"].p_payback_within(12)


#: Text a study file controls that the report shows, each hostile in its own way.
HOSTILE = {
    "name": '</title><script>alert("name")</script>',
    "description": "<img src=x onerror=alert('description')>",
    "source": "<b>R&D</b> notes",
}
COLUMN = "<svg onload=alert(1)>"


def test_user_text_is_escaped_where_the_report_shows_it(tmp_path, lesson_doc):
    (tmp_path / "h.csv").write_text(f"{COLUMN}\n90\n120\n150\n110\n")
    lesson_doc["study"].update(HOSTILE, samples=2000)
    lesson_doc["strategies"]["self_hosted_7b"]["engineering_hours"] = {
        "empirical": {"file": str(tmp_path / "h.csv"), "column": COLUMN}}
    run_to_folder(study_from_dict(lesson_doc), tmp_path / "o")
    page = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    name = "&lt;/title&gt;&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;"
    assert f"<title>ftrisk — {name}</title>" in page
    assert f"<h1>{name}</h1>" in page
    assert ("Source: &lt;b&gt;R&amp;D&lt;/b&gt; notes. "
            "&lt;img src=x onerror=alert(&#x27;description&#x27;)&gt;</p>") in page
    # the inputs table: the empirical input's label names its column
    assert ">empirical(n=4 from h.csv:&lt;svg onload=alert(1)&gt;, 90 to 150" in page
    # the manifest (JSON in a <pre>) names the study too
    assert html.escape(f'"study": {json.dumps(HOSTILE["name"])}') in page
    for raw in [*HOSTILE.values(), COLUMN]:
        assert raw not in page, raw
    # nor any of their markup in another spelling (JSON escapes the quotes, not the tags)
    for tag in ("<script>alert", "</title><", "<img src=x", "<svg onload", "<b>R&D"):
        assert tag not in page, tag
    # two strategies: the comparison chart is there
    assert body_of(page).count('id="chart-comparison"') == 1


def test_analysis_of_the_first_rows_only(tmp_path, lesson_doc, monkeypatch):
    """Sensitivity and value of information use the first ANALYSIS_ROWS samples (here
    1,024 of 2,000) and say so at the top of the first decision section."""
    import sim.decision
    import sim.report.html as page_module

    monkeypatch.setattr(page_module, "ANALYSIS_ROWS", 1024)
    rows = []
    real = sim.decision.load_samples
    monkeypatch.setattr(sim.decision, "load_samples",
                        lambda *a, **k: rows.append(k["rows"]) or real(*a, **k))
    lesson_doc["workload"]["requests_per_day"] = "30000 to 70000"
    lesson_doc["study"]["samples"] = 2000
    result = run_to_folder(study_from_dict(lesson_doc), tmp_path / "o")
    assert rows == [1024]
    sections = page_module.decision_sections(result)
    assert rows == [1024, 1024]
    note = ('<p class="muted">From the first 1,024 samples; <code>ftrisk tornado</code> '
            "analyses more.</p>")
    assert [s.heading for s in sections[:2]] == ["Which unknown matters most?",
                                                "Is it worth finding out first?"]
    assert sections[0].body.startswith(note) and note not in sections[1].body
    assert sections[0].charts and sections[0].charts.keys() != sections[1].charts.keys()
    body = body_of((tmp_path / "o" / "report.html").read_text(encoding="utf-8"))
    assert body.count(note) == 1
    # exactly ANALYSIS_ROWS samples: no note
    lesson_doc["study"]["samples"] = 1024
    result = run_to_folder(study_from_dict(lesson_doc), tmp_path / "o2")
    assert "From the first" not in body_of(
        (tmp_path / "o2" / "report.html").read_text(encoding="utf-8"))


def test_study_with_only_a_baseline(tmp_path, lesson_doc):
    del lesson_doc["strategies"]["self_hosted_7b"]
    out = run_to_folder(study_from_dict(lesson_doc), tmp_path / "o")
    assert out.summary.recommended == "frontier"
    body = body_of((tmp_path / "o" / "report.html").read_text(encoding="utf-8"))
    # nothing to compare or analyse: no comparison chart, no decision sections
    assert re.findall(r"<h2>(.*?)</h2>", body) == [
        s for s in SECTIONS if s not in ("Which unknown matters most?",
                                         "Is it worth finding out first?", "Break-even map")]
    assert "chart-comparison" not in body
    assert "Source: <i>not stated</i>. </p>" in body
    assert "None" not in body and "XX" not in body
