"""Building a chunk's kernels (:mod:`sim.costs.build`): the values' sections found in one
pass are the ones a scan of every key finds."""

from __future__ import annotations

import pytest

from sim import median_values, study_from_dict
from sim.costs.build import Sections, section


def test_sections_equal_a_scan_of_every_key(lesson_doc):
    values = {**median_values(study_from_dict(lesson_doc)),
              "strategies.a.b.engineering_phases.data": 3.0,  # a dotted strategy name
              "strategies.a.x": 1.0, "strategies.ab.y": 2.0, "workload": 9.0}
    sections = Sections(values)
    prefixes = {k[:i] for k in values for i, ch in enumerate(k) if ch == "."}
    prefixes |= {"strategies.missing", "strategies.a.b.engineering_phases.data", "work"}
    for prefix in sorted(prefixes):
        assert sections(prefix) == section(values, prefix), prefix
        assert list(sections(prefix)) == list(section(values, prefix)), prefix  # order
    assert sections("strategies.a") == {"b.engineering_phases.data": 3.0, "x": 1.0}
    assert sections("workload") == section(values, "workload") != {}
    assert "workload" not in sections("workload")  # the key "workload" has no section


def test_a_section_is_the_callers_to_change():
    sections = Sections({"s.a": 1.0})
    sections("s")["a"] = 2.0
    assert sections("s") == {"a": 1.0}


@pytest.mark.parametrize("name", ["self_hosted_7b", "frontier"])
def test_lesson_sections_hold_each_strategys_fields(lesson_doc, name):
    values = median_values(study_from_dict(lesson_doc))
    got = Sections(values)(f"strategies.{name}")
    assert got and all(f"strategies.{name}.{k}" in values for k in got)
