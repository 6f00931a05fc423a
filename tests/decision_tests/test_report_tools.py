"""A run's summary.json carries EVPI, EVPPI and EVSI with their standard errors; the report
shows Shapley effects when the study states correlations, and the value of a pilot."""

from __future__ import annotations

import json

import pytest

from sim import run_to_folder, study_from_dict


@pytest.fixture
def correlated(hand_document):
    doc = hand_document
    doc["study"]["samples"] = 6000
    doc["strategies"]["cheap"].update(review_rate={"beta": {"mean": 0.1, "sd": 0.03}},
                                      cost_per_review=0.04,
                                      input_price={"uniform": [5.0, 7.0]})
    doc["correlations"] = [{"between": ["cheap.input_price", "self_hosted.gpu_hourly"],
                            "rank": 0.5}]
    return study_from_dict(doc)


def test_summary_value_of_information_and_report_sections(correlated, tmp_path):
    out = tmp_path / "run"
    run_to_folder(correlated, out)
    doc = json.loads((out / "summary.json").read_text())
    v = doc["value_of_information"]
    assert v["samples"] == 6000 and v["strategies"] == ["frontier", "cheap", "self_hosted"]
    assert set(v["evpi"]) == {"value", "se", "plugin"} and v["evpi"]["value"] > 0
    names = {e["name"] for e in v["evppi"]}
    assert "strategies.cheap.review_rate" in names and "pilot" in names
    rate = next(e for e in v["evppi"] if e["name"] == "strategies.cheap.review_rate")
    e = v["evsi"]
    assert e["strategy"] == "cheap" and e["informs"] == "strategies.cheap.review_rate"
    assert e["examples"] == 500 and e["cost"] is None and e["net"] is None
    # a 500-example pilot is worth something, at most what knowing the rate is worth
    assert 0 < e["value"] <= rate["value"] + 4 * rate["se"] and e["se"] > 0
    assert e["sentence"].startswith("A 500-example pilot of cheap's review rate is worth")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Sensitivity with correlated inputs (Shapley effects)" in html
    assert "vegaEmbed('#chart-shapley'" in html and "vegaEmbed('#chart-pilot'" in html
    assert "The value of a pilot" in html


def test_strategy_named_like_the_block_is_refused(hand_document):
    from sim import StudyError

    hand_document["strategies"]["value_of_information"] = hand_document["strategies"].pop(
        "cheap")
    with pytest.raises(StudyError, match="value_of_information"):
        study_from_dict(hand_document)
