"""The documentation cannot drift from the code: docs/study-file.md is the generator's
output, it documents every key the loader accepts, every bundled study uses only documented
keys, every documented value form parses, and the figures docs/model.md quotes are the
code's."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from distributions import FAMILIES, VALUE_FORMS, parse
from sim import evaluate, load_study, median_values, point_estimate, study_from_dict
from sim.costs.training import estimate_training_cost
from sim.study.cards import CARDS
from sim.study.kinds import KINDS
from sim.study.loader import CARD_INPUTS, CONSTRAINT_KEYS, CORRELATION_KEYS, STUDY_SETTINGS
from sim.study.reference import REGENERATE, study_file_reference
from sim.study.schema import WORKLOAD
from sim.study.strategy import PHASE_FIELD, PHASES_KEY, catalog_values
from sim.study.types import AutoscalingSettings

from helpers import ROOT, STUDIES, STUDY_FILES

DOCS = ROOT / "docs"
STUDY_FILE = DOCS / "study-file.md"
MODEL = DOCS / "model.md"
HEADING = re.compile(r"^#{2,3} `([^`]+)`")
ROW_KEY = re.compile(r"^\| `([^`]+)` \|")


def _sections(text: str) -> dict[str, str]:
    """Markdown sections by their backticked heading (``[study]``, ``api``, ...)."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("#"):
            m = HEADING.match(line)
            current = m.group(1) if m else ""
            out.setdefault(current, [])
        elif current:
            out[current].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def _row_keys(section: str) -> set[str]:
    """The keys in the first column of a section's tables."""
    return {m.group(1) for line in section.splitlines() if (m := ROW_KEY.match(line))}


@pytest.fixture(scope="module")
def documented() -> dict[str, set[str]]:
    """The keys docs/study-file.md documents, per section (a table's first column, and the
    keys a section names outside its tables: hourly_profile, engineering_phases)."""
    sections = _sections(STUDY_FILE.read_text(encoding="utf-8"))
    keys = {name: _row_keys(text) for name, text in sections.items()}
    if "`hourly_profile`" in sections["[workload]"]:
        keys["[workload]"].add("hourly_profile")
    for kind in KINDS:
        if f"`[strategies.<name>.{PHASES_KEY}]`" in sections[kind]:
            keys[kind].add(PHASES_KEY)
    return keys


def test_study_file_reference_is_up_to_date():
    text = STUDY_FILE.read_text(encoding="utf-8") if STUDY_FILE.exists() else ""
    assert text == study_file_reference(), (
        f"docs/study-file.md is out of date with the code; regenerate it: {REGENERATE}")


def test_every_key_the_loader_accepts_is_documented(documented):
    assert set(WORKLOAD) | {"hourly_profile"} <= documented["[workload]"]
    assert set(STUDY_SETTINGS) == documented["[study]"]
    assert set(CONSTRAINT_KEYS) | set(CARD_INPUTS) | {c.key for c in CARDS} == documented[
        "[constraints]"]
    assert set(CORRELATION_KEYS) == documented["[[correlations]]"]
    for name, kind in KINDS.items():
        keys = set(kind.fields) | set(kind.settings)
        if kind.phases:
            keys.add(PHASES_KEY)
        assert keys == documented[name], name
        section = _sections(study_file_reference())[name]
        for key, words in kind.alternatives.items():
            for word in words:
                assert f'| `{key}` | `"{word}"` |' in section


def test_every_input_has_a_unit():
    fields = {f"workload.{k}": f for k, f in WORKLOAD.items()}
    fields[PHASES_KEY] = PHASE_FIELD
    for kind in KINDS.values():
        fields.update({f"{kind.name}.{k}": f for k, f in kind.fields.items()})
    missing = [path for path, f in fields.items() if not f.unit]
    assert not missing
    assert WORKLOAD["requests_per_day"].text == "request volume in month 1 [requests/day]"


def test_errors_and_the_inputs_table_show_the_unit(tmp_path):
    doc = {"study": {"baseline": "a"}, "workload": {"input_tokens": 5, "output_tokens": 5},
           "strategies": {"a": {"kind": "api", "input_price": 1.0, "output_price": 1.0}}}
    with pytest.raises(Exception, match=r"workload\.requests_per_day.*\[requests/day\]"):
        study_from_dict(doc)
    doc["workload"]["requests_per_day"] = 10
    study = study_from_dict(doc)
    assert study.input("strategies.a.input_price").help == "price of input tokens [$/1M tokens]"


def test_every_bundled_study_uses_only_documented_keys(documented):
    for path in STUDY_FILES:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        where = path.name
        assert set(doc) <= {"study", "workload", "strategies", "constraints", "correlations"}
        assert set(doc.get("study", {})) <= documented["[study]"], where
        assert set(doc["workload"]) <= documented["[workload]"], where
        assert set(doc.get("constraints", {})) <= documented["[constraints]"], where
        for item in doc.get("correlations", []):
            assert set(item) <= documented["[[correlations]]"], where
        for name, table in doc["strategies"].items():
            unknown = set(table) - {"kind"} - documented[table["kind"]]
            assert not unknown, f"{where}: strategies.{name} uses undocumented {unknown}"


def test_the_intro_example_is_a_valid_study():
    text = study_file_reference()
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    study = study_from_dict(tomllib.loads(example))
    assert study.baseline == "frontier"
    assert set(study.compared()) == {"frontier", "hosted_ft"}


def test_every_value_form_is_documented_and_parses(tmp_path):
    assert {f.family for f in VALUE_FORMS} - {"", "truncate"} == set(FAMILIES)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "hours.csv").write_text("hours\n96\n120\n150\n", encoding="utf-8")
    for form in VALUE_FORMS:
        [(key, value)] = tomllib.loads(form.example).items()
        dist = parse(value, name=key, base_dir=tmp_path)
        if form.family and form.family != "truncate":
            assert isinstance(value, dict) and form.family in value, form.example
            assert f"{form.family} = " in form.example
        assert dist.mean == dist.mean, form.example  # a number, not NaN


def test_catalog_settings_fill_in_what_they_say():
    names = {"api": "gpt-4o@2024", "gpu": "a10g", "training": "openai"}
    for kind in KINDS.values():
        for key, setting in kind.settings.items():
            if setting.supplies:
                filled = catalog_values(kind, {key: names[setting.lookup]})
                assert set(filled) == set(setting.supplies), (kind.name, key)
                assert set(setting.supplies) <= set(kind.fields)


def test_serving_defaults_in_the_help_are_the_loaders():
    fields = KINDS["self_hosted"].fields
    d = AutoscalingSettings()
    assert f"default {d.cold_start_s:g})" in fields["cold_start_s"].help
    assert f"default {d.idle_timeout_s:g})" in fields["idle_timeout_s"].help
    assert f"default {d.min_replicas})" in fields["min_replicas"].help
    assert f"default {d.max_replicas})" in fields["max_replicas"].help


# -- docs/model.md ----------------------------------------------------------------------


def _money(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


def test_model_quotes_the_lesson_parity_figures():
    """The seed-parity table of docs/model.md holds what point_estimate computes."""
    text = MODEL.read_text(encoding="utf-8")
    p = point_estimate(load_study(STUDIES / "lesson_parity.toml"))["self_hosted_7b"]
    rows = dict(re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+?) \|", text, flags=re.M))
    money = ["monthly_api_cost", "monthly_serving_cost", "monthly_storage_cost",
             "monthly_amortized_project_cost", "monthly_ft_total", "monthly_savings",
             "total_project_cost"]
    for key in money:
        assert _money(rows[key]) == pytest.approx(round(p[key], 2)), key
    assert float(rows["payback_months"]) == round(p["payback_months"], 1)
    assert int(rows["break_even_tokens_per_day"].replace(",", "")) == int(
        p["break_even_tokens_per_day"])


def test_model_quotes_the_training_scenarios():
    text = MODEL.read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|]+?) \| (\d+)B \| (\w+) \| ([\d,]+) \| (\d+) \| (\d+) \| "
                      r"(\w+) \| (yes|no) \| (\d+) \| ([\d.]+) \| \$([\d.,]+) \|", text, re.M)
    assert len(rows) == 5
    for _, size, method, examples, seq, epochs, gpu, spot, gpus, hours, cost in rows:
        r = estimate_training_cost(float(size), method, int(examples.replace(",", "")),
                                   int(seq), float(epochs), gpu, spot=spot == "yes")
        assert (r["num_gpus"], r["training_hours"]) == (int(gpus), float(hours))
        assert r["total_cost_usd"] == _money(cost)


def _links(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [t for t in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
            if "://" not in t]


@pytest.mark.parametrize("name", ["README.md", "docs/model.md", "docs/study-file.md"])
def test_docs_link_only_to_files_in_the_repository(name):
    path = ROOT / name
    for target in _links(path):
        assert (path.parent / target).exists(), f"{name} links to missing {target}"


def test_nothing_cites_documents_outside_the_repository():
    """Docstrings, studies and docs point to docs/, never to the team's internal notes."""
    outside = re.compile("SPEC" + r"(\b|'s| §)|\.\./" + "shared")
    files = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    for folder in ("sim", "distributions", "tests", "benchmarks", "studies"):
        files += [p for p in (ROOT / folder).rglob("*")
                  if p.suffix in {".py", ".toml", ".md", ".csv"}]
    cited = [str(p.relative_to(ROOT)) for p in files if p != Path(__file__).resolve()
             and outside.search(p.read_text(encoding="utf-8"))]
    assert not cited


def test_the_readme_study_example_loads():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    study = study_from_dict(tomllib.loads(example))
    assert set(study.compared()) == {"frontier", "hosted_ft"}


def test_model_quotes_the_monthly_model_of_the_parity_study():
    """The worked example of docs/model.md (NPV, TCO, ROI, cumulative saving, payback)."""
    text = " ".join(MODEL.read_text(encoding="utf-8").split())
    study = load_study(STUDIES / "lesson_parity.toml")
    out = evaluate(study, median_values(study), 1, keep=3)
    o, base = out["self_hosted_7b"], out[study.baseline]
    c = o.months[:, 0]
    assert f"`C(1)` = -${-c[0]:,.2f}, `C(2)` = -${-c[1]:,.2f}, `C(3)` = +${c[2]:,.2f}" in text
    assert f"NPV = ${o.npv[0]:,.2f} over 36 months" in text
    assert f"TCO ${o.tco[0]:,.2f} against the baseline's ${base.tco[0]:,.2f}" in text
    assert f"ROI {o.roi[0]:.2f}" in text
    assert int(o.payback[0]) == 3
    assert f"the fractional payback is `2 + {-c[1]:,.2f} / {c[2] - c[1]:,.2f}` = " \
           f"{float(o.payback_months[0]):.2f} months" in text


def test_code_points_to_sections_that_exist():
    """Every ``docs/model.md, "Section"`` a docstring cites is a heading of docs/model.md."""
    headings = {line.lstrip("#").strip() for line in
                MODEL.read_text(encoding="utf-8").splitlines() if line.startswith("#")}
    cite = re.compile(r'docs/model\.md[,:]\s*(?:#\s*)?"([^"]+)"(?:\s+(?:to|and)\s+"([^"]+)")?')
    found = 0
    for folder in ("sim", "distributions", "tests"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".toml"} or path == Path(__file__).resolve():
                continue
            for m in cite.finditer(path.read_text(encoding="utf-8")):
                for name in filter(None, m.groups()):
                    found += 1
                    assert " ".join(name.split()) in headings, f"{path.name}: {name}"
    assert found >= 20
