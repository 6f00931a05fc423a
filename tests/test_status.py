"""Status lines on stderr: on a terminal for every slow step (and saying when the first run
builds a cache), never when piped, redirected or --quiet."""

from __future__ import annotations

import io

from sim import run, study_from_dict
from sim.cli import main
from sim.commands._status import Status

from helpers import write_toml


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_shows_each_stage_and_the_bar():
    screen = Terminal()
    with Status(stream=screen) as status:
        status.stage("serving simulation: capacity curve of x")
        status(10, 10)
        status.stage("report: Sobol' indices")
    assert status.shown == ["serving simulation: capacity curve of x", "simulating",
                            "report: Sobol' indices"]
    text = screen.getvalue()
    assert "serving simulation: capacity curve of x" in text and "Sobol' indices" in text


def test_quiet_or_not_a_terminal_writes_nothing():
    for screen, status in ((s := Terminal(), Status(enabled=False, stream=s)),
                           (p := io.StringIO(), Status(stream=p))):
        status.stage("report")
        status(5, 5)
        status.close()
        assert status.shown == [] and screen.getvalue() == ""


def test_run_on_a_pipe_writes_no_status(tmp_path, capsys, lesson_doc):
    study = write_toml(tmp_path / "s.toml", lesson_doc)
    assert main(["run", str(study), "--out", str(tmp_path / "o")]) == 0
    assert capsys.readouterr().err == ""


def test_a_run_reports_its_stages(lesson_doc):
    stages: list[str] = []
    run(study_from_dict(lesson_doc), on_stage=stages.append)
    assert stages == ["summary"]  # no simulated serving in the lesson's configuration


def test_the_first_build_of_a_capacity_curve_says_it_fills_the_cache(monkeypatch, tmp_path):
    from sim import load_study
    from sim.cache import Memo
    from sim.serving import from_study, sla

    from helpers import STUDIES

    monkeypatch.setenv("FTRISK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(sla, "_TABLES", Memo())  # nothing built in this process either
    monkeypatch.setattr(from_study, "capacity_for", lambda study, name: None)  # no simulation
    study = load_study(STUDIES / "voice_intent.toml")
    stages: list[str] = []
    from_study.prepare(study, stages.append)
    assert stages == ["serving simulation: capacity curve of mistral_7b (the first run builds "
                      "a cache; later runs reuse it)"]
    config = from_study.serving_config(study, "mistral_7b")
    cached = tmp_path / "serving" / f"{sla.table_key(config, study.seed, 20_000)}.json"
    cached.parent.mkdir()
    cached.write_text("{}")
    stages.clear()
    from_study.prepare(study, stages.append)
    assert stages == ["serving simulation: capacity curve of mistral_7b"]
