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


def test_no_external_scripts_or_styles(report):
    _, page = report
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=\"?https?:", page)
    assert "cdn.jsdelivr" not in page
    assert "vegaEmbed(" in page and "function" in page[:200_000]


def test_sections_and_answer(report):
    result, page = report
    for heading in ("Summary", "The spreadsheet beside the distribution", "When does it pay back?",
                    "Cumulative net saving", "NPV", "Inputs", "Assumptions", "Manifest"):
        assert f"<h2>{heading}</h2>" in page
    assert result.summary.answer.split(" (")[0] in page
    assert "the spreadsheet says 6.3 months" in page
    # every input is listed, defaults marked
    for inp in result.study.inputs():
        assert f">{inp.path}<" in page
    assert 'class="l muted">default<' in page


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


def test_study_with_only_a_baseline(tmp_path, lesson_doc):
    del lesson_doc["strategies"]["self_hosted_7b"]
    out = run_to_folder(study_from_dict(lesson_doc), tmp_path / "o")
    assert out.summary.recommended == "frontier"
    assert "<h2>Summary</h2>" in (tmp_path / "o" / "report.html").read_text()
