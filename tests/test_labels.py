"""Strategies' display names (the study's ``label`` or one made from the id) and the inputs
each strategy is computed from."""

from __future__ import annotations

import pytest

from sim import load_study, study_from_dict
from sim.study import StudyError
from sim.study.labels import default_label

from helpers import STUDIES, STUDY_FILES


def test_a_label_from_the_study_file_names_the_strategy(lesson_doc):
    lesson_doc["strategies"]["self_hosted_7b"]["label"] = "Our own Llama 7B"
    study = study_from_dict(lesson_doc)
    assert study.strategies["self_hosted_7b"].label == "Our own Llama 7B"
    assert study.strategies["frontier"].label == "Frontier API"


@pytest.mark.parametrize(("value", "message"), [
    (3, r"strategies\.frontier\.label: 3 must be a name \(a string\)"),
    ("  ", r"strategies\.frontier\.label: is empty; give a name, or remove the key"),
])
def test_a_bad_label_is_an_error_naming_the_key(lesson_doc, value, message):
    lesson_doc["strategies"]["frontier"]["label"] = value
    with pytest.raises(StudyError, match=message):
        study_from_dict(lesson_doc)


@pytest.mark.parametrize(("name", "suffix", "label"), [
    ("hosted_ft", "", "Hosted fine-tuning"),
    ("self_hosted_7b", "", "Self-hosted 7B"),
    ("self_hosted_13b", "", "Self-hosted 13B"),
    ("frontier", "API", "Frontier API"),
    ("gpt35", "API", "GPT-3.5 API"),
    ("gpt4o-mini", "API", "GPT-4o mini API"),
    ("my_api", "API", "My API"),
    ("routed_80_20", "", "Routed 80/20"),
    ("ft_small", "", "Fine-tuned small"),
    ("llama_70b_qlora", "", "Llama 70B QLoRA"),
])
def test_default_labels(name, suffix, label):
    assert default_label(name, suffix) == label


def test_every_bundled_strategy_has_a_readable_name():
    for path in STUDY_FILES:
        for s in load_study(path).strategies.values():
            assert "_" not in s.label and s.label[0].isupper(), (path.name, s.label)


def test_inputs_of_a_strategy_are_its_own_its_parts_the_baseline_and_the_workload():
    study = load_study(STUDIES / "enterprise.toml")
    hosted = {i.path for i in study.inputs_of("hosted_ft")}
    assert "strategies.hosted_ft.engineering_hours" in hosted
    assert "strategies.frontier.annual_price_drop" in hosted
    assert "workload.requests_per_day" in hosted
    assert not [p for p in hosted if p.startswith("strategies.self_hosted_13b.")]
    # a routing strategy is computed from its router and both of its parts
    routed = {i.path.split(".")[1] for i in load_study(STUDIES / "code_completion.toml")
              .inputs_of("routed_80_20") if i.path.startswith("strategies.")}
    assert routed == {"routed_80_20", "ft_small", "frontier"}
