"""The report's building blocks on small inputs: exact cells, escaping, the page shell."""

from __future__ import annotations

import json
import math
import re

import pytest

from sim import run, study_from_dict
from sim.display import money
from sim.report.page import _script_json, html_page, table
from sim.report.run_report import spreadsheet_vs_distribution
from sim.report.tables import inputs_table, manifest_table, summary_table


def cells(page: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the first table in ``page``, as text (tags stripped)."""
    head = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", page.split("</thead>")[0])
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = [re.findall(r"<td(?: [^>]*)?>(.*?)</td>", r) for r in body.split("</tr>") if r]
    return head, rows


@pytest.mark.parametrize(("x", "text"), [
    (None, "–"), (math.nan, "–"), (0.0, "$0"), (0.4, "$0"), (1234.4, "$1,234"),
    (-1234.6, "-$1,235"), (1e6, "$1,000,000"), (-0.4, "$0"), (-0.5, "$0"),
])
def test_money(x, text):
    assert money(x) == text


def test_table_escapes_and_aligns():
    out = table(["a<b", "n"], [["x & y", 1], ["<i>", 2.5]])
    assert out == ('<div class="scroll"><table><thead><tr><th class="l">a&lt;b</th><th>n</th>'
                   '</tr></thead><tbody><tr><td class="l">x &amp; y</td><td>1</td></tr>'
                   '<tr><td class="l">&lt;i&gt;</td><td>2.5</td></tr></tbody></table></div>')
    # left-aligned columns by index, fixed-width ones, both
    out = table(["a", "b", "c"], [["1", "2", "3"]], left=(0, 2), mono=(1, 2))
    assert '<th class="l">a</th><th class="mono">b</th><th class="l mono">c</th>' in out
    assert '<td class="l">1</td><td class="mono">2</td><td class="l mono">3</td>' in out
    assert "<th>" not in table(["a"], [], left=1) and "<th>a</th>" in table(["a"], [], left=0)


def test_script_json_cannot_close_the_script_element():
    spec = {"title": "</script><script>alert(1)</script>", "n": [1, 2]}
    text = _script_json(spec)
    assert "</" not in text
    assert json.loads(text) == spec  # "<\/" is a valid JSON escape of "</"


def test_html_page_shell():
    page = html_page("a <b> & c", '<div id="chart-x"></div>', {"x": {"mark": "bar"},
                                                              "y": {"mark": "</x>"}})
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>a &lt;b&gt; &amp; c</title>" in page
    assert "vegaEmbed('#chart-x', {\"mark\": \"bar\", " in page
    assert "vegaEmbed('#chart-y', {\"mark\": \"<\\/x>\", " in page
    assert "</x>" not in page
    assert page.count("vegaEmbed('#chart-") == 2
    assert not re.search(r"<script[^>]+src=", page)
    assert page.rstrip().endswith("</body></html>")


#: A strategy's display name a study file controls, hostile in the report's tables.
LABEL = '<img src=x onerror=alert("label")>'
ESCAPED = "&lt;img src=x onerror=alert(&quot;label&quot;)&gt;"


@pytest.fixture(scope="module")
def hostile_summary():
    """The lesson, every input known, its candidate shown under a hostile label."""
    import copy

    from helpers import LESSON

    doc = copy.deepcopy(LESSON)
    doc["strategies"]["self_hosted_7b"]["label"] = LABEL
    return run(study_from_dict(doc)).summary


def test_summary_table_escapes_the_label_where_it_shows_it(hostile_summary):
    page = summary_table(hostile_summary)
    assert f'<td class="l">{ESCAPED}<br><span class="id">self_hosted_7b</span></td>' in page
    assert LABEL not in page and "<img" not in page


def test_spreadsheet_sentence_escapes_the_label(hostile_summary):
    text = spreadsheet_vs_distribution(hostile_summary)
    assert text.startswith(f"<ul><li><b>{ESCAPED}</b>: the spreadsheet says 2.9 months ")
    assert LABEL not in text and "<img" not in text


def test_inputs_table_escapes_an_empirical_column(tmp_path, lesson_doc):
    column = "<svg onload=alert(1)>"
    (tmp_path / "h.csv").write_text(f"{column}\n90\n120\n150\n110\n")
    lesson_doc["strategies"]["self_hosted_7b"]["engineering_hours"] = {
        "empirical": {"file": str(tmp_path / "h.csv"), "column": column}}
    out = inputs_table(study_from_dict(lesson_doc))
    assert "h.csv:&lt;svg onload=alert(1)&gt;" in out
    assert column not in out and "<svg" not in out


def test_manifest_table_by_hand():
    """Each manifest value as the page shows it: the seed without a thousands separator, a
    count with one, the uncertain inputs counted and shortened, booleans lower case, a
    missing value a dash, the timings in seconds."""
    page = manifest_table({"seed": 12345, "samples": 20000,
                           "uncertain_inputs": ["strategies.a.x", "workload.y"],
                           "constrained": True, "note": None, "timings": {"run_s": 1.5}})
    cells = re.findall(r'<td class="l">([^<]*)</td>', page)
    assert cells == ["seed", "12345", "samples", "20,000", "uncertain inputs",
                     "2: a.x, workload.y", "constrained", "true", "note", "–", "timings",
                     "run 1.50 s"]



def test_a_sheet_that_never_pays_back_says_so(lesson_doc):
    """Ten GPUs: 10 x $2.06 x 720 h = $14,832/month against the API's 1.5M requests x
    (500 x $5 + 200 x $15)/1M = $8,250/month, so the sheet saves $8,250 - $14,832 - the
    project's ($15,000 + 8 x $12) / 18 = $838.67 amortization = -$7,421/month: it never
    pays back, and the median payback is beyond the 36-month horizon."""
    lesson_doc["strategies"]["self_hosted_7b"]["instances"] = 10
    summary = run(study_from_dict(lesson_doc)).summary
    text = spreadsheet_vs_distribution(summary)
    assert text.startswith("<ul><li><b>Self-hosted 7B</b>: the spreadsheet never pays back "
                           "(monthly saving -$7.4K after amortization)")
    assert "a median payback of > 36 months." in text
    _, rows = cells(summary_table(summary))
    assert rows[1][2] == "&gt; 36 mo"


def test_inputs_table_by_hand(lesson_doc):
    """Both tables' headers, a known value to three significant digits (2.0637 -> 2.06) and
    the catalog source of a price the study takes from the catalog, in a muted list."""
    frontier = lesson_doc["strategies"]["frontier"]
    del frontier["input_price"], frontier["output_price"]
    frontier["model"] = "gpt-4o"
    lesson_doc["strategies"]["self_hosted_7b"]["gpu_hourly"] = 2.0637
    out = inputs_table(study_from_dict(lesson_doc))
    head, _ = cells(out)
    assert head == ["input and what it is", "distribution", "P10", "P50", "P90", "unit",
                    "P0.5–P99.5", "from"]
    known = out[out.index("<h3>Known values</h3>"):]
    head, _ = cells(known)
    assert head == ["input and what it is", "value", "unit", "from"]
    row = known[known.index(">strategies.self_hosted_7b.gpu_hourly<"):]
    assert row[:row.index("</tr>")].endswith(
        '<td>2.06</td><td class="l">$/GPU-hour</td><td class="l">study</td>')
    assert ('<p class="muted">Catalog sources and fits to the price history:</p>'
            '<ul class="muted"><li>catalog gpt-4o: ') in out
