"""The report's analyses started during the run (sim.report.early, sim.runner.collect.Head):
the rows handed over are the samples file's first rows as read back, handed as soon as they
are in, and the report is the one the file's rows give."""

from __future__ import annotations

import json
import re
import threading

import numpy as np
import pytest

import sim.report.early as early
from sim import run, study_from_dict
from sim.decision import sample_columns
from sim.report.analysis_plan import ANALYSIS_ROWS
from sim.report.folder import run_to_folder
from sim.runner.collect import Head
from sim.runner.samples_file import read_columns


@pytest.fixture
def study(lesson_doc):
    lesson_doc["workload"]["requests_per_day"] = {"lognormal": {"median": 5000, "p90": 40000}}
    lesson_doc["strategies"]["self_hosted_7b"]["engineering_hours"] = {"pert": [76, 120, 188]}
    lesson_doc["study"]["samples"] = 20_000
    return study_from_dict(lesson_doc)


def _head_run(study, tmp_path, rows):
    got, seen = [], []
    cols = tuple(sample_columns(study))
    result = run(study, samples_path=tmp_path / "s.parquet", chunk_size=2048, workers=2,
                 progress=lambda done, n: seen.append(done),
                 head=Head(rows, cols, lambda c: got.append((c, seen[-1] if seen else 0))))
    return result, cols, got


def test_the_head_is_the_files_first_rows_as_read_back(study, tmp_path):
    result, cols, got = _head_run(study, tmp_path, 5000)
    assert len(got) == 1
    head, done_then = got[0]
    assert done_then < study.samples  # handed over while the run went on
    assert list(head) == list(cols)
    back = read_columns(result.samples_path, cols, rows=5000)
    for c in cols:
        assert head[c].dtype == np.float64
        np.testing.assert_array_equal(head[c], back[c], strict=True)
    # some samples do not pay back: null in the file, NaN in both
    assert np.isnan(head["payback_month.self_hosted_7b"]).sum() > 0


def test_a_run_shorter_than_the_head_hands_over_every_sample(study, tmp_path):
    result, cols, got = _head_run(study, tmp_path, 10 * study.samples)
    assert len(got) == 1
    head, _ = got[0]
    back = read_columns(result.samples_path, cols)
    assert all(head[c].size == study.samples for c in cols)
    for c in cols:
        np.testing.assert_array_equal(head[c], back[c], strict=True)


def _report(out):
    text = (out / "report.html").read_text(encoding="utf-8")
    # the manifest's timings are the only figures that may differ
    return re.sub(r'(<section id="sec-manifest">.*?</section>)',
                  lambda m: re.sub(r"\d", "#", m.group(1)), text, flags=re.S)


def test_the_early_report_is_the_report_of_the_file(study, tmp_path, monkeypatch):
    big = study.replace(samples=ANALYSIS_ROWS + 4096)
    handed = []
    real = early.EarlyAnalysis._start
    monkeypatch.setattr(early.EarlyAnalysis, "_start",
                        lambda self, cols: (handed.append(cols), real(self, cols))[1])
    run_to_folder(big, tmp_path / "early", chunk_size=4096, workers=2)
    assert len(handed) == 1 and handed[0][sample_columns(big)[0]].size == ANALYSIS_ROWS
    monkeypatch.setattr(early.EarlyAnalysis, "head", lambda self: None)
    run_to_folder(big, tmp_path / "file", chunk_size=4096, workers=2)
    assert _report(tmp_path / "early") == _report(tmp_path / "file")
    docs = [json.loads((tmp_path / d / "summary.json").read_text()) for d in ("early", "file")]
    assert docs[0] == docs[1]
    assert docs[0]["value_of_information"] is not None


def test_no_head_without_analyses(study):
    assert early.EarlyAnalysis(study.replace(samples=99)).head() is None
    head = early.EarlyAnalysis(study).head()
    assert head is not None and head.rows == study.samples


def test_an_analysis_that_fails_fails_the_run_and_leaves_nothing(study, tmp_path, monkeypatch):
    def broken(samples, on_stage=None):
        raise RuntimeError("analysis broke")

    monkeypatch.setattr(early, "analysis_of", broken)
    with pytest.raises(RuntimeError, match="analysis broke"):
        run_to_folder(study, tmp_path / "out", chunk_size=4096, workers=2)
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []


def test_the_status_line_names_the_analysis_the_report_waits_for(study, tmp_path, monkeypatch):
    # the analysis announces a stage and holds until the status line has shown it: without
    # the relay the wait times out and the stage is missing
    shown = threading.Event()
    real = early.analysis_of

    def slow(samples, on_stage=None):
        on_stage("tornado")
        shown.wait(10)
        return real(samples, on_stage)

    monkeypatch.setattr(early, "analysis_of", slow)
    stages = []

    def on_stage(name):
        stages.append(name)
        if name == "report: tornado":
            shown.set()

    run_to_folder(study, tmp_path / "out", chunk_size=4096, workers=2, on_stage=on_stage)
    assert shown.is_set()
    assert stages.index("report") < stages.index("report: tornado")
