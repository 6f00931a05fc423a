"""Output safety: ftrisk never deletes what it did not write, and leaves nothing half-written.

The rules (README "Where a run writes"): ``--out`` is created when missing, used when empty,
replaced when it holds only a previous ftrisk output; anything else, the working folder, the
study's folder and their ancestors are refused with exit 2 before any work. SIGTERM, SIGHUP
and SIGINT remove the temporary output and exit 128 + N; what a SIGKILLed run left is removed
by the next run. A samples file over 2 GB needs --yes. Files named by --html are checked
first, their folders created, and written atomically.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import sim.interrupts
import sim.report.folder
from sim import OutputError, check_out_folder, load_study, run, run_to_folder, study_from_dict
from sim.cli import main
from sim.interrupts import Interrupted, signals_raise
from sim.report.files import write_text
from sim.report.folder import OUTPUT_FILES, samples_file_bytes
from sim.runner.runner import bytes_per_sample

from helpers import ROOT, STUDIES, write_toml

PAGE = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="generator" content="ftrisk">\n<title>ftrisk serve — x</title></head>'
        '<body>a serve page</body></html>\n')


def cli(args, capsys):
    code = main([str(a) for a in args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` (hidden ones too) with its bytes (its mode if not a file)."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() and not
                                             p.is_symlink() else p.stat().st_mode)
            for p in sorted(root.rglob("*"))}


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture(autouse=True)
def _quick_report(monkeypatch):
    """These tests are about files and folders: a small stand-in for report.html keeps them
    fast (the report itself is tested in test_report.py; the processes below use the real one).
    """
    def render(result, path, **_):
        Path(path).write_text(f"<html><title>ftrisk — {result.study.name}</title></html>\n",
                              encoding="utf-8")

    monkeypatch.setattr("sim.report.folder.render", render)


@pytest.fixture
def study(tmp_path, lesson_doc):
    """The lesson's study (64 samples, every input fixed) in tmp_path/study/, cwd tmp_path."""
    (tmp_path / "study").mkdir()
    return write_toml(tmp_path / "study" / "lesson.toml", lesson_doc)


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---- never delete what ftrisk did not write ----------------------------------------------

def test_user_files_in_out_survive_and_nothing_runs(here, study, capsys):
    mine = here / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    before = tree(here)
    code, out, err = cli(["run", study, "--out", "mine"], capsys)
    assert code == 2 and out == ""
    assert one_line(err) == ("ftrisk: error: --out mine: holds files ftrisk did not write "
                             "(notes.txt); choose an empty or new folder")
    assert tree(here) == before


def test_missing_folder_is_created_with_parents_and_an_empty_one_used(here, study, capsys):
    code, _, err = cli(["run", study, "--out", "a/b/c", "--quiet"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in (here / "a" / "b" / "c").iterdir()) == sorted(OUTPUT_FILES)
    (here / "empty").mkdir()
    code, _, err = cli(["run", study, "--out", "empty", "--quiet"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in (here / "empty").iterdir()) == sorted(OUTPUT_FILES)
    assert sorted(p.name for p in here.iterdir()) == ["a", "empty", "study"]


def test_manifest_marks_the_folder_and_a_previous_output_is_replaced(here, study, capsys):
    assert cli(["run", study, "--out", "o", "--quiet", "--seed", "3"], capsys)[0] == 0
    manifest = json.loads((here / "o" / "manifest.json").read_text())
    assert manifest["generator"] == "ftrisk"
    assert manifest["files"] == sorted(OUTPUT_FILES)
    assert manifest["seed"] == 3
    code, _, err = cli(["run", study, "--out", "o", "--quiet", "--seed", "4"], capsys)
    assert code == 0, err
    assert json.loads((here / "o" / "manifest.json").read_text())["seed"] == 4
    assert json.loads((here / "o" / "summary.json").read_text())["seed"] == 4
    assert sorted(p.name for p in here.iterdir()) == ["o", "study"]  # no .o.tmp/.o.old left


def test_a_previous_output_with_a_user_file_is_refused_and_kept(here, study, capsys):
    assert cli(["run", study, "--out", "o", "--quiet"], capsys)[0] == 0
    (here / "o" / "analysis.ipynb").write_text("{}")
    before = tree(here)
    code, _, err = cli(["run", study, "--out", "o", "--quiet", "--seed", "9"], capsys)
    assert code == 2
    assert "--out o: holds files ftrisk did not write (analysis.ipynb)" in one_line(err)
    assert tree(here) == before


@pytest.mark.parametrize("manifest", [
    {"generator": "something-else", "files": list(OUTPUT_FILES)},
    {"generator": "ftrisk", "files": ["summary.json"]},  # does not list manifest.json
    {"generator": "ftrisk", "files": [*OUTPUT_FILES, "notes.txt"]},  # not an ftrisk file
    ["not", "a", "manifest"],
])
def test_only_an_ftrisk_manifest_vouches_for_a_folder(here, study, capsys, manifest):
    o = here / "o"
    o.mkdir()
    (o / "manifest.json").write_text(json.dumps(manifest))
    (o / "summary.json").write_text("{}")
    if isinstance(manifest, dict):
        (o / "notes.txt").write_text("mine")
    before = tree(here)
    code, _, err = cli(["run", study, "--out", "o"], capsys)
    assert code == 2
    assert "holds files ftrisk did not write" in one_line(err)
    assert tree(here) == before


def test_an_output_written_before_the_marker_is_recognised(here, study, capsys):
    o = here / "o"
    o.mkdir()
    (o / "manifest.json").write_text(json.dumps({"ftrisk_version": "0.1.0",
                                                 "study_sha256": "ab"}))
    for name in ("summary.json", "samples.parquet", "report.html"):
        (o / name).write_text("old")
    code, _, err = cli(["run", study, "--out", "o", "--quiet"], capsys)
    assert code == 0, err
    assert json.loads((o / "manifest.json").read_text())["generator"] == "ftrisk"


def test_pages_of_other_ftrisk_commands_are_carried_over(here, study, capsys):
    """``ftrisk serve`` writes its page into the run's default folder: a later run keeps it."""
    assert cli(["run", study, "--out", "o", "--quiet"], capsys)[0] == 0
    (here / "o" / "serve_self_hosted_7b.html").write_text(PAGE)
    code, _, err = cli(["run", study, "--out", "o", "--quiet", "--seed", "2"], capsys)
    assert code == 0, err
    assert (here / "o" / "serve_self_hosted_7b.html").read_text() == PAGE
    assert sorted(p.name for p in here.iterdir()) == ["o", "study"]
    # a folder holding only such a page (serve ran first) is used, the page kept
    (here / "p").mkdir()
    (here / "p" / "serve_x.html").write_text(PAGE)
    assert cli(["run", study, "--out", "p", "--quiet"], capsys)[0] == 0
    assert sorted(p.name for p in (here / "p").iterdir()) == sorted([*OUTPUT_FILES,
                                                                     "serve_x.html"])
    # an HTML file without ftrisk's mark is the user's
    (here / "q").mkdir()
    (here / "q" / "page.html").write_text("<html><title>mine</title></html>")
    code, _, err = cli(["run", study, "--out", "q"], capsys)
    assert code == 2 and "(page.html)" in err


@pytest.mark.parametrize(("out", "says"), [
    (".", "is the working folder"),
    ("{here}", "is the working folder"),
    ("..", "contains the working folder"),
    ("/", "contains the working folder"),
    ("study", "contains the study file"),
    ("study/..", "is the working folder"),
])
def test_out_may_not_be_the_working_or_the_study_folder(here, study, capsys, out, says):
    (here / "study" / "notes.txt").write_text("mine")
    before = tree(here)
    out = out.format(here=here)
    code, stdout, err = cli(["run", study, "--out", out, "--quiet"], capsys)
    assert code == 2 and stdout == ""
    line = one_line(err)
    assert line.startswith(f"ftrisk: error: --out {out}: {says}")
    assert line.endswith("choose a new folder, e.g. out/lesson")
    assert tree(here) == before


def test_study_folder_elsewhere_is_refused_too(tmp_path, monkeypatch, study, capsys):
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    code, _, err = cli(["run", study, "--out", tmp_path / "study"], capsys)
    assert code == 2 and f"contains the study file {study}" in err
    assert (tmp_path / "study" / "lesson.toml").is_file()


def test_out_that_is_not_a_folder(here, study, capsys):
    (here / "f").write_text("a file")
    os.symlink(here / "f", here / "link")
    os.mkfifo(here / "fifo")
    for out in ("f", "link", "fifo", "study/lesson.toml"):
        code, _, err = cli(["run", study, "--out", out], capsys)
        assert code == 2
        assert one_line(err) == (f"ftrisk: error: --out {out}: exists and is not a folder; "
                                 "choose another path")
    code, _, err = cli(["run", study, "--out", "f/o"], capsys)
    assert code == 2 and f"{here / 'f'} is a file, not a folder" in one_line(err)
    assert (here / "f").read_text() == "a file"


@pytest.mark.parametrize(("length", "says"), [
    (300, "the name is too long; choose a shorter path"),  # the file system's own error
    (240, "a name on the path is too long (255 bytes at most; ftrisk's temporary copy adds"),
])
def test_names_too_long_are_refused_before_any_work(here, study, capsys, monkeypatch,
                                                    length, says):
    monkeypatch.setattr("os.pathconf", lambda path, name: 255)
    before = tree(here)
    for args in (["run", study, "--out", "n" * length],
                 ["sweep", study, "--param", "workload.requests_per_day", "--values", "1",
                  "--html", "n" * length]):
        code, out, err = cli(args, capsys)
        assert code == 2 and out == ""
        assert one_line(err).startswith(f"ftrisk: error: {args[-2]} {'n' * length}: {says}")
    assert tree(here) == before


def test_a_mount_point_is_refused(here, study, capsys, monkeypatch):
    """A mount point cannot be renamed aside (EBUSY): say so before the run, not after."""
    (here / "disk").mkdir()
    real = os.path.ismount
    monkeypatch.setattr("os.path.ismount", lambda p: Path(p).name == "disk" or real(p))
    code, _, err = cli(["run", study, "--out", "disk"], capsys)
    assert code == 2
    assert one_line(err) == ("ftrisk: error: --out disk: is a mount point, which cannot be "
                             "swapped for the new output; choose a folder inside it, e.g. "
                             "disk/run")


def test_a_link_to_a_folder_is_written_through(here, study, capsys):
    (here / "real").mkdir()
    os.symlink(here / "real", here / "link")
    assert cli(["run", study, "--out", "link", "--quiet"], capsys)[0] == 0
    assert (here / "link").is_symlink()
    assert sorted(p.name for p in (here / "real").iterdir()) == sorted(OUTPUT_FILES)


def test_library_run_to_folder_keeps_the_rules(here, study):
    (here / "mine").mkdir()
    (here / "mine" / "notes.txt").write_text("keep")
    s = load_study(study)
    with pytest.raises(OutputError, match=r"mine: holds files ftrisk did not write"):
        run_to_folder(s, "mine")
    with pytest.raises(OutputError, match=r"is the working folder"):
        run_to_folder(s, here)
    assert check_out_folder(here / "new").exists is False


# ---- the previous good output survives any failure --------------------------------------

def test_a_failure_during_the_run_leaves_the_previous_output(here, study, capsys, monkeypatch):
    assert cli(["run", study, "--out", "new/o", "--quiet"], capsys)[0] == 0
    before = tree(here)

    def broken(result, path, **_):
        Path(path).write_text("half a report")
        raise RuntimeError("a bug in the report")

    monkeypatch.setattr("sim.report.folder.render", broken)
    code, _, err = cli(["run", study, "--out", "new/o", "--quiet"], capsys)
    assert code == 1 and "RuntimeError: a bug in the report" in err
    assert tree(here) == before
    code, _, err = cli(["run", study, "--out", "new2/deep/o", "--quiet"], capsys)
    assert code == 1
    assert tree(here) == before  # the folders it created are gone too


def test_a_full_disk_is_exit_2_and_leaves_nothing(here, study, capsys, monkeypatch):
    assert cli(["run", study, "--out", "o", "--quiet"], capsys)[0] == 0
    before = tree(here)

    def full(result, path, **_):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("sim.report.folder.render", full)
    code, _, err = cli(["run", study, "--out", "o", "--quiet"], capsys)
    assert code == 2
    assert one_line(err) == ("ftrisk: error: --out o: cannot write the output: no space left "
                             "on the disk; free some space or choose another disk")
    assert tree(here) == before


def test_a_failed_swap_puts_the_previous_output_back(here, study, capsys, monkeypatch):
    assert cli(["run", study, "--out", "o", "--quiet"], capsys)[0] == 0
    before = tree(here)
    rename = Path.rename

    def refuse_new(self, target):
        if self.name.startswith(".o.tmp-"):
            raise OSError(errno.EIO, "Input/output error")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_new)
    code, _, _ = cli(["run", study, "--out", "o", "--quiet", "--seed", "7"], capsys)
    assert code == 1
    assert tree(here) == before


def test_files_changed_during_the_run_are_noticed_before_the_swap(here, study, monkeypatch):
    s = load_study(study)
    run_to_folder(s, "o")
    real_run = sim.report.folder.run

    def meddle(*args, **kwargs):
        (here / "o" / "notes.txt").write_text("written while the run ran")
        return real_run(*args, **kwargs)

    monkeypatch.setattr(sim.report.folder, "run", meddle)
    with pytest.raises(OutputError, match=r"holds files ftrisk did not write \(notes.txt\)"):
        run_to_folder(s.replace(seed=8), "o")
    assert json.loads((here / "o" / "manifest.json").read_text())["seed"] == 1
    assert sorted(p.name for p in here.iterdir()) == ["o", "study"]


# ---- no half-written leftovers -----------------------------------------------------------

def test_a_signal_in_process_removes_the_temporary_folder(here, study):
    def stop(done, total):
        os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(Interrupted) as info, signals_raise():
        run_to_folder(load_study(study), "x/y/o", progress=stop)
    assert info.value.exit_code == 143
    assert sorted(p.name for p in here.iterdir()) == ["study"]


def test_cli_reports_a_signal_with_128_plus_n(here, study, capsys, monkeypatch):
    monkeypatch.setattr("sim.commands._status.Status.__call__",
                        lambda self, done, total: os.kill(os.getpid(), signal.SIGHUP))
    code, out, err = cli(["run", study, "--out", "o"], capsys)
    assert code == 129 and out == ""
    assert one_line(err) == "ftrisk: interrupted; no output written"
    assert sorted(p.name for p in here.iterdir()) == ["study"]
    assert signal.getsignal(signal.SIGHUP) is not sim.interrupts._handler  # handlers restored


def test_a_signal_during_the_swap_waits_for_it(here, study, monkeypatch):
    s = load_study(study)
    run_to_folder(s, "o")
    retire = sim.report.folder._retire

    def signal_then_retire(old, out):
        os.kill(os.getpid(), signal.SIGTERM)
        retire(old, out)

    monkeypatch.setattr(sim.report.folder, "_retire", signal_then_retire)
    with pytest.raises(Interrupted), signals_raise():
        run_to_folder(s.replace(seed=5), "o")
    assert json.loads((here / "o" / "manifest.json").read_text())["seed"] == 5
    assert sorted(p.name for p in here.iterdir()) == ["o", "study"]


def test_leftovers_of_killed_runs_are_removed_and_live_ones_kept(here, study, capsys):
    gone = dead_pid()
    stale = [here / f".o.tmp-{gone}-0a1b2c3d", here / f".o.tmp-{gone}"]
    for d in stale:
        d.mkdir()
        (d / "samples.parquet").write_bytes(b"PAR1 half")
    odd = here / f".o.tmp-{gone}-ffffffff"  # holds a file ftrisk never puts there: kept
    odd.mkdir()
    (odd / "notes.txt").write_text("?")
    alive = [here / f".o.tmp-{os.getpid()}-12345678", here / f".o.tmp-{os.getppid()}-9abcdef0"]
    for d in alive:
        d.mkdir()
        (d / "samples.parquet").write_bytes(b"PAR1 being written")
    code, _, err = cli(["run", study, "--out", "o", "--quiet"], capsys)
    assert code == 0, err
    assert not any(d.exists() for d in stale)
    assert all((d / "samples.parquet").read_bytes() == b"PAR1 being written" for d in alive)
    assert sorted(p.name for p in odd.iterdir()) == ["notes.txt"]


def test_a_previous_output_set_aside_by_a_killed_run_is_put_back(here, study, capsys):
    assert cli(["run", study, "--out", "o", "--quiet", "--seed", "6"], capsys)[0] == 0
    old = here / f".o.old-{dead_pid()}-0a1b2c3d"
    (here / "o").rename(old)  # killed between its two renames
    assert check_out_folder(here / "o").exists is False
    (old / "serve_a.html").write_text(PAGE)
    code, _, err = cli(["run", study, "--out", "o", "--quiet"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in here.iterdir()) == ["o", "study"]
    assert (here / "o" / "serve_a.html").read_text() == PAGE  # restored, then carried over


def test_html_writes_are_atomic_and_create_folders(tmp_path, monkeypatch):
    page = tmp_path / "a" / "b" / "page.html"
    write_text(page, "first")
    assert page.read_text() == "first"

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match=r"^--html p\.html: cannot write .*page\.html: "
                       r"permission denied; choose a folder you can write to$"):
        write_text(page, "second", flag="--html", shown="p.html")
    assert page.read_text() == "first"
    assert sorted(p.name for p in page.parent.iterdir()) == ["page.html"]
    with pytest.raises(OutputError):
        write_text(tmp_path / "new" / "deeper" / "x.html", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]  # created folders removed


def test_stale_temporary_page_of_a_killed_writer_is_removed(tmp_path):
    stale = tmp_path / f".page.html.tmp-{dead_pid()}-0a1b2c3d"
    stale.write_text("half")
    write_text(tmp_path / "page.html", "whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


# ---- the size guard ----------------------------------------------------------------------

def test_bytes_per_sample_matches_the_samples_file():
    """The estimate counts the columns runner._chunk writes: checked against real files."""
    for name in ("lesson_parity", "legal_contracts", "customer_support"):
        study = load_study(STUDIES / f"{name}.toml").replace(samples=3000)
        result = run(study)
        schema = pq.read_schema(result.samples_path)
        width = {"double": 8, "int64": 8, "int16": 2}
        assert bytes_per_sample(study) == sum(width[str(f.type)] for f in schema), name
        assert result.samples_path.stat().st_size <= samples_file_bytes(study), name


def test_lesson_bytes_per_sample_by_hand(lesson_doc):
    # sample (8) + no uncertain input + npv, payback month (int16), fractional payback,
    # roi of the 7B (8+2+8+8) + tco of both strategies (2 x 8) = 50 bytes
    assert bytes_per_sample(study_from_dict(lesson_doc)) == 50


def test_a_huge_run_asks_first_and_writes_nothing(here, study, capsys, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the run started")

    monkeypatch.setattr(sim.report.folder, "run_to_folder", never)
    before = tree(here)
    code, out, err = cli(["run", study, "--out", "o", "--samples", "1000000000"], capsys)
    assert code == 2 and out == ""
    assert one_line(err) == (
        "ftrisk: error: --samples 1,000,000,000: samples.parquet would take about 50.0 GB "
        "(over the 2 GB guard); add --yes to write it anyway, or lower --samples to at most "
        "40,000,000")  # 50 bytes a sample; 2e9 // 50
    assert tree(here) == before


def test_the_guard_names_the_study_file_and_yes_lets_it_run(here, lesson_doc, capsys,
                                                            monkeypatch):
    lesson_doc["study"]["samples"] = 10**9
    big = write_toml(here / "big.toml", lesson_doc)
    code, _, err = cli(["run", big, "--out", "o"], capsys)
    assert code == 2
    assert f"{big}: study.samples 1,000,000,000: samples.parquet would take about 50" in err
    monkeypatch.setattr(sim.report.folder, "SIZE_GUARD_BYTES", 2000)  # 64 samples: 3,200 bytes
    lesson_doc["study"]["samples"] = 64
    small = write_toml(here / "small.toml", lesson_doc)
    code, _, err = cli(["run", small, "--out", "o", "--quiet"], capsys)
    assert code == 2 and "lower --samples to at most 40" in err  # 2000 // 50
    code, _, err = cli(["run", small, "--out", "o", "--quiet", "--yes"], capsys)
    assert code == 0
    assert one_line(err) == "ftrisk: writing about 3.2 kB of samples into o/ (--yes)"
    assert (here / "o" / "summary.json").is_file()


# ---- --html and serve --out --------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["sweep", STUDIES / "legal_contracts.toml", "--param", "workload.requests_per_day",
     "--values", "1000,5000", "--samples", "200"],
    ["tornado", STUDIES / "legal_contracts.toml", "--samples", "200"],
])
def test_html_targets_are_checked_before_any_work(here, capsys, command):
    (here / "folder").mkdir()
    (here / "file").write_text("x")
    os.mkfifo(here / "fifo")
    before = tree(here)
    for target, says in [("folder", "is a folder; give a file name, e.g. folder/"),
                         ("file/page.html", f"{here / 'file'} is a file, not a folder"),
                         ("fifo", "exists and is not a regular file")]:
        code, out, err = cli([*command, "--html", target], capsys)
        assert code == 2 and out == "", err
        assert one_line(err).startswith(f"ftrisk: error: --html {target}: {says}")
    assert tree(here) == before
    code, _, err = cli([*command, "--html", "new/deep/page.html"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in (here / "new" / "deep").iterdir()) == ["page.html"]
    assert '<meta name="generator" content="ftrisk">' in (
        here / "new" / "deep" / "page.html").read_text()


def test_serve_out_checked_before_the_simulation(here, capsys):
    (here / "f").write_text("x")
    args = ["serve", STUDIES / "lesson_parity.toml", "--strategy", "self_hosted_7b"]
    code, out, err = cli([*args, "--out", "f"], capsys)
    assert code == 2 and out == ""
    assert one_line(err) == ("ftrisk: error: --out f: exists and is not a folder; choose a "
                             "folder")
    (here / "o" / "serve_self_hosted_7b.html").mkdir(parents=True)
    code, out, err = cli([*args, "--out", "o"], capsys)
    assert code == 2 and out == "" and "serve_self_hosted_7b.html is in the way" in err


def _read_only(path: Path) -> bool:
    """Make ``path`` unwritable even for root (chattr +i) or by mode; False if neither works."""
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        ok = chattr and subprocess.run([chattr, "+i", str(path)], capture_output=True,
                                       check=False).returncode == 0
        return bool(ok)
    path.chmod(0o555)
    return True


def _writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
    else:
        path.chmod(0o755)


def test_a_folder_that_cannot_be_written_is_exit_2(here, study, capsys):
    ro = here / "ro"
    ro.mkdir()
    if not _read_only(ro):
        pytest.skip("cannot make a read-only folder here")
    try:
        code, _, err = cli(["run", study, "--out", "ro/o"], capsys)
        assert code == 2
        assert one_line(err) == (f"ftrisk: error: --out ro/o: cannot write in {ro} (permission "
                                 "denied or a read-only disk); choose a folder you can write to")
        with pytest.raises(OutputError, match="cannot write in"):
            write_text(ro / "deeper" / "page.html", "x", flag="--html")
    finally:
        _writable(ro)
    assert list(ro.iterdir()) == []


# ---- real processes: signals, SIGKILL, a file-size limit -------------------------------

LESSON_FILE = STUDIES / "lesson_parity.toml"
#: Where each stopped run writes: over a previous output, or into folders it must create.
SIGNAL_OUT = {signal.SIGTERM: "prev/o", signal.SIGINT: "new/deep/o", signal.SIGHUP: "prev/o",
              signal.SIGKILL: "new/o"}


def _default_signals() -> None:  # the test run itself may have been started under nohup
    for s in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(s, signal.SIG_DFL)


def _file_size_limit() -> None:
    _default_signals()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))


def _has_temp(folder: Path) -> bool:
    return folder.is_dir() and any(p.name.startswith(".o.tmp-") for p in folder.iterdir())


@pytest.fixture(scope="module")
def stopped(tmp_path_factory):
    """Real ``ftrisk run`` processes, started together (their start-up is most of the time):
    one per signal, sent once its temporary folder appears, and one under a 1 MB file-size
    limit. Gives each case's folder, its tree before, exit code, stdout and stderr."""
    root = tmp_path_factory.mktemp("processes")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    previous = root / "previous"
    run_to_folder(load_study(LESSON_FILE).replace(samples=50), previous)
    cases = {}
    for sig, out in SIGNAL_OUT.items():
        base = root / sig.name
        base.mkdir()
        if out.startswith("prev"):
            shutil.copytree(previous, base / out)
        cases[sig.name] = (base, sig, [LESSON_FILE, "--out", base / out, "--samples",
                                       "20000000"], _default_signals)
    (root / "EFBIG").mkdir()
    cases["EFBIG"] = (root / "EFBIG", None, [STUDIES / "legal_contracts.toml", "--out",
                                             "new/o", "--samples", "100000"], _file_size_limit)
    procs = {}
    for name, (base, sig, args, setup) in cases.items():
        procs[name] = (base, sig, tree(base), subprocess.Popen(
            [sys.executable, "-m", "sim.cli", "run", *map(str, args), "--quiet"], cwd=base,
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, preexec_fn=setup, restore_signals=False))
    results = {}
    try:
        waiting = {name for name, (_, sig, _, _) in procs.items() if sig is not None}
        deadline = time.monotonic() + 300
        while waiting:  # signal each run as soon as its temporary folder appears
            for name in sorted(waiting):
                base, sig, _, proc = procs[name]
                assert proc.poll() is None, proc.communicate()
                if _has_temp((base / SIGNAL_OUT[sig]).parent):
                    proc.send_signal(sig)
                    waiting.discard(name)
            assert time.monotonic() < deadline, f"no temporary folder appeared: {waiting}"
            time.sleep(0.01)
        for name, (base, _, before, proc) in procs.items():
            out, err = proc.communicate(timeout=300)
            results[name] = (base, before, proc.returncode, out, err)
    finally:
        for *_, proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_removes_the_temporary_output(stopped, sig):
    """Stopped mid-run: exit 128 + N, the temporary folder gone, a previous output unchanged,
    folders the run had created removed."""
    base, before, code, out, err = stopped[sig.name]
    assert code == 128 + sig, err
    assert err == "ftrisk: interrupted; no output written\n" and out == ""
    assert tree(base) == before


def test_what_a_sigkilled_run_left_is_removed_by_the_next_run(stopped):
    base, _, code, _, _ = stopped["SIGKILL"]
    assert code == -signal.SIGKILL
    assert _has_temp(base / "new")  # SIGKILL cannot be caught: the folder is left
    run_to_folder(load_study(LESSON_FILE).replace(samples=50), base / "new" / "o")
    assert sorted(p.name for p in (base / "new").iterdir()) == ["o"]


def test_a_file_size_limit_mid_write_is_exit_2_with_nothing_left(stopped):
    """A real OS error while samples.parquet is written (EFBIG, as a full disk gives ENOSPC):
    exit 2 naming --out, no temporary folder, the folders it created removed."""
    base, _, code, _, err = stopped["EFBIG"]
    assert code == 2, err
    assert err == ("ftrisk: error: --out new/o: cannot write the output: file too large for "
                   "this disk; choose another disk or fewer samples\n")
    assert list(base.iterdir()) == []
