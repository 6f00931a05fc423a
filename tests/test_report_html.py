"""The report's building blocks on small inputs: exact cells, escaping, the page shell."""

from __future__ import annotations

import json
import math
import re

import pytest

from sim import run, study_from_dict
from sim.report.html import (
    _script_json,
    html_page,
    inputs_table,
    money,
    spreadsheet_vs_distribution,
    summary_table,
    table,
)


def cells(page: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the first table in ``page``, as text (tags stripped)."""
    head = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", page.split("</thead>")[0])
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = [re.findall(r"<td(?: [^>]*)?>(.*?)</td>", r) for r in body.split("</tr>") if r]
    return head, rows


@pytest.mark.parametrize(("x", "text"), [
    (None, "–"), (math.nan, "–"), (0.0, "$0"), (0.4, "$0"), (1234.4, "$1,234"),
    (-1234.6, "-$1,235"), (1e6, "$1,000,000"), (-0.4, "-$0"),
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
    assert "vegaEmbed('#chart-x', {\"mark\": \"bar\"}, {actions: false}).catch(" in page
    assert "vegaEmbed('#chart-y', {\"mark\": \"<\\/x>\"}, {actions: false})" in page
    assert page.count("vegaEmbed('#chart-") == 2
    assert not re.search(r"<script[^>]+src=", page)
    assert page.rstrip().endswith("</body></html>")


@pytest.fixture(scope="module")
def lesson_run():
    """The lesson with every input known: each sample is the same, the figures exact.

    Net saving 8,250 - 2,966.40 - 0.322 = 5,283.278 a month after a 15,096 project paid in
    month 1; NPV = 5,283.278 x sum_{t<=36} 1.1^(-t/12) - 15,096 x 1.1^(-1/12) = 149,790.
    """
    from helpers import LESSON

    return run(study_from_dict(LESSON))


def test_summary_table_cells(lesson_run):
    head, rows = cells(summary_table(lesson_run.summary))
    base, sh = (dict(zip(head, r, strict=True)) for r in rows)
    assert base["strategy"] == "frontier (baseline)" and base["kind"] == "api"
    assert sh["strategy"] == "self_hosted_7b" and sh["kind"] == "self_hosted"
    page = summary_table(lesson_run.summary)
    # strategy and kind read left to right, the figures are right-aligned
    assert '<th class="l">strategy</th><th class="l">kind</th><th>P(payback ≤ 3)</th>' in page
    assert '<td class="l">self_hosted_7b</td><td class="l">self_hosted</td><td>1.00' in page
    for n in (3, 6, 12, 24):
        assert base[f"P(payback ≤ {n})"] == "–"
        assert sh[f"P(payback ≤ {n})"] == "1.00 ± 0"
    assert base["median payback"] == "–" and sh["median payback"] == "3 mo"
    assert base["E[NPV] ± se"] == "$0 ± 0" and sh["E[NPV] ± se"] == "$149,790 ± 0"
    for q in ("NPV P10", "NPV P50", "NPV P90", "CVaR 5%"):
        assert sh[q] == "$149,790" and base[q] == "$0"
    assert (sh["P(NPV&gt;0)"], sh["P(best)"], base["P(best)"]) == ("1.000", "1.000", "0.000")
    assert base["E[regret]"] == "$149,790 ± 0" and sh["E[regret]"] == "$0 ± 0"
    # the lesson's static payback: 15,096 / 5,283.28 = 2.86 months
    assert sh["spreadsheet payback"] == "2.9 mo" and base["spreadsheet payback"] == "–"
    assert "constraints" not in head


def test_summary_table_constraints_and_never(lesson_doc):
    lesson_doc["strategies"]["self_hosted_7b"]["gpu_hourly"] = 100.0  # never pays back
    lesson_doc["constraints"] = {"data_on_premises": True}
    lesson_doc["study"]["payback_within"] = [12]
    summary = run(study_from_dict(lesson_doc)).summary
    head, rows = cells(summary_table(summary))
    assert head[-1] == "constraints"
    page = summary_table(summary)
    assert '<th class="l">kind</th><th>P(payback ≤ 12)</th>' in page
    assert '<th>spreadsheet payback</th><th class="l">constraints</th>' in page
    assert '<td>never</td><td class="l">met</td></tr>' in page
    base, sh = (dict(zip(head, r, strict=True)) for r in rows)
    assert base["constraints"] == "infeasible: sends request data to a vendor (api)"
    assert sh["constraints"] == "met"
    assert sh["median payback"] == "&gt; 36 mo" and sh["spreadsheet payback"] == "never"
    assert sh["P(payback ≤ 12)"] == "0.00 ± 0"
    text = spreadsheet_vs_distribution(summary)
    assert "<b>self_hosted_7b</b>: the spreadsheet never pays back" in text
    assert "a median payback of > 36 months." in text


def test_spreadsheet_sentences_one_per_strategy(lesson_doc):
    lesson_doc["strategies"]["hosted"] = {
        "kind": "hosted_ft", "input_price": 1.0, "output_price": 2.0, "training_tokens": 1e8,
        "training_price_per_1m": 8.0, "engineering_hours": 20}
    text = spreadsheet_vs_distribution(run(study_from_dict(lesson_doc)).summary)
    assert text.startswith("<ul><li><b>self_hosted_7b</b>: ") and text.endswith("</li></ul>")
    assert ".</li><li><b>hosted</b>: the spreadsheet says " in text
    assert text.count("<li>") == 2


def test_spreadsheet_beside_the_distribution(lesson_run):
    text = spreadsheet_vs_distribution(lesson_run.summary)
    assert text.startswith("<ul><li><b>self_hosted_7b</b>: the spreadsheet says 2.9 months ")
    assert "(monthly saving $4,445 after amortization)" in text
    # the study's main horizon for the question: 12 months (in its payback_within list)
    assert "P(payback ≤ 12) = 1.00 ± 0 and a median payback of 3 months.</li></ul>" in text
    assert text.count("<li>") == 1  # the baseline is not listed


def test_inputs_table_uncertain_known_default_and_catalog(lesson_doc):
    lesson_doc["workload"]["requests_per_day"] = {"uniform": [40_000, 60_000]}
    f = lesson_doc["strategies"]["frontier"]
    del f["input_price"], f["output_price"]
    f["model"] = "gpt-4o@2024"
    out = inputs_table(study_from_dict(lesson_doc))
    assert out.startswith("<h3>Uncertain inputs</h3>")
    uncertain, known = out.split("<h3>Known values</h3>")
    head, rows = cells(uncertain)
    assert head == ["input", "distribution", "mean", "P10", "P50", "P90", "P0.5–P99.5", "from",
                    "meaning"]
    (row,) = rows
    # U(40k, 60k): mean and P50 50,000, P10 42,000, P90 58,000
    assert row[:6] == ["workload.requests_per_day", "uniform(lo=40000, hi=60000)", "50000",
                       "42000", "50000", "58000"]
    assert row[6] == "█" * 20 and row[7] == "study" and row[8] == "requests per day in month 1"
    assert '<td class="l mono">' + "█" * 20 + "</td>" in uncertain
    head, rows = cells(known)
    assert head == ["input", "value", "from", "meaning"]
    by_path = {r[0]: r for r in rows}
    assert by_path["workload.input_tokens"][1:3] == ["500", "study"]
    assert by_path["workload.monthly_growth"][1:3] == ["0", "default"]
    assert '<td class="l muted">default</td>' in known
    assert by_path["strategies.frontier.input_price"][1:3] == ["5", "catalog gpt-4o@2024"]
    assert known.count('<ul class="muted">') == 1
    assert "<li>catalog gpt-4o@2024: lesson &#x27;Fine-Tuning Cost and ROI Analysis&#x27;" in known
