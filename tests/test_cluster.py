"""Runs on a Dask LocalCluster (127.0.0.1, 2 worker processes) equal local runs, byte for byte."""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path

import pytest

from sim.cli import main
from sim.portfolio import load_portfolio, run_portfolio
from sim.report.folder import run_to_folder
from sim.report.portfolio_page import write_portfolio
from sim.study import load_study

from helpers import STUDIES

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


#: The one row of report.html that two local runs of the same seed differ in: the timings.
TIMINGS_ROW = re.compile(r'<td class="l">timings</td><td class="l">[^<]*</td>')


def _same_files(a: Path, b: Path) -> None:
    """Every file equal byte for byte; manifest.json and report.html equal once their
    wall-clock timings (the only thing two local runs of one seed differ in) are removed."""
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        if name in ("manifest.json", "report.html"):
            continue  # they hold the timings
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    if "manifest.json" in names:
        ma, mb = (json.loads((f / "manifest.json").read_text()) for f in (a, b))
        assert ma.pop("timings").keys() == mb.pop("timings").keys()
        assert ma == mb
    if "report.html" in names:
        ha, hb = ((f / "report.html").read_text() for f in (a, b))
        assert len(TIMINGS_ROW.findall(ha)) == len(TIMINGS_ROW.findall(hb)) <= 1
        assert TIMINGS_ROW.sub("", ha) == TIMINGS_ROW.sub("", hb)


def _cli(args: list[str], out: Path, capsys, scheduler: str | None = None) -> str:
    """Run ``ftrisk ARGS`` writing into ``out`` (``{out}`` in ARGS), return its stdout with
    the folder's name replaced."""
    out.mkdir()
    extra = ["--scheduler", scheduler] if scheduler else []
    assert main([a.replace("{out}", str(out)) for a in args] + extra) == 0
    return capsys.readouterr().out.replace(str(out), "{out}")


def _tasks_run(client) -> dict[str, int]:
    """How many tasks of each kind (function name) the cluster's scheduler has seen."""
    return client.run_on_scheduler(lambda dask_scheduler: {
        name: sum(p.state_counts.values()) for name, p in dask_scheduler.task_prefixes.items()})


def _same_command(args: list[str], tmp_path: Path, client, capsys, task: str) -> str:
    """The command run locally and on the test's cluster (where it runs ``task`` tasks):
    the same stdout, the same files byte for byte."""
    local = _cli(args, tmp_path / "local", capsys)
    before = _tasks_run(client).get(task, 0)
    remote = _cli(args, tmp_path / "cluster", capsys, client.scheduler.address)
    assert _tasks_run(client).get(task, 0) > before  # the work did go to the cluster
    assert remote == local
    _same_files(tmp_path / "local", tmp_path / "cluster")
    return local


def test_run_on_a_cluster_equals_the_local_run(tmp_path, client):
    study = load_study(STUDIES / "legal_contracts.toml").replace(samples=3000)
    run_to_folder(study, tmp_path / "local", chunk_size=2048)
    run_to_folder(study, tmp_path / "cluster", chunk_size=1000, client=client)
    _same_files(tmp_path / "local", tmp_path / "cluster")


@pytest.mark.slow
def test_portfolio_on_a_cluster_equals_the_local_run(tmp_path, client):
    p = load_portfolio(STUDIES / "portfolios" / "five_use_cases.toml").replace(samples=3000)
    p = p.replace(members=p.members[:2])
    write_portfolio(run_portfolio(p), tmp_path / "local")
    write_portfolio(run_portfolio(p, client=client), tmp_path / "cluster")
    _same_files(tmp_path / "local", tmp_path / "cluster")


def test_an_unreachable_scheduler_is_exit_2_with_the_address(tmp_path, capsys):
    code = main(["run", str(STUDIES / "lesson_parity.toml"), "--out", str(tmp_path / "o"),
                 "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "--scheduler tcp://127.0.0.1:9: cannot reach the scheduler" in err
    assert not (tmp_path / "o").exists()
    assert main(["run", str(STUDIES / "lesson_parity.toml"), "--scheduler", "local:0"]) == 2
    assert "local:0: N must be a whole number >= 1" in capsys.readouterr().err


@pytest.mark.slow
def test_a_worker_lost_mid_run_leaves_the_result_unchanged(tmp_path, client):
    study = load_study(STUDIES / "legal_contracts.toml").replace(samples=12000)
    run_to_folder(study, tmp_path / "local")
    killed = []

    def progress(done, total):
        if not killed and done >= 1000:
            victim = sorted(client.scheduler_info()["workers"])[0]
            pid = client.run(os.getpid, workers=[victim])[victim]
            os.kill(pid, signal.SIGKILL)
            killed.append(victim)

    run_to_folder(study, tmp_path / "cluster", chunk_size=500, client=client,
                  progress=progress)
    assert killed
    _same_files(tmp_path / "local", tmp_path / "cluster")


@pytest.mark.slow
def test_cli_local_cluster(tmp_path, capsys):
    study = str(STUDIES / "lesson_parity.toml")
    assert main(["run", study, "--out", str(tmp_path / "a"), "--quiet", "--samples", "3000"]) == 0
    assert main(["run", study, "--out", str(tmp_path / "b"), "--quiet", "--samples", "3000",
                 "--scheduler", "local:2", "--chunk-size", "700"]) == 0
    _same_files(tmp_path / "a", tmp_path / "b")


def test_two_local_runs_differ_only_in_their_timings(tmp_path):
    study = load_study(STUDIES / "lesson_parity.toml").replace(samples=2000)
    run_to_folder(study, tmp_path / "a")
    run_to_folder(study, tmp_path / "b")
    _same_files(tmp_path / "a", tmp_path / "b")
    html = (tmp_path / "a" / "report.html").read_text()
    assert "simulate " in TIMINGS_ROW.search(html).group(0)


def test_sweep_on_a_cluster_equals_the_local_sweep(tmp_path, client, capsys):
    out = _same_command(
        ["sweep", str(STUDIES / "legal_contracts.toml"), "--param",
         "workload.requests_per_day", "--values", "2000,8000,30000", "--samples", "5000",
         "--csv", "{out}/sweep.csv", "--html", "{out}/sweep.html"], tmp_path, client, capsys,
        "cells_task")
    assert "each value: 5,000 samples" in out
    table = (tmp_path / "cluster" / "sweep.csv").read_text().splitlines()
    assert len(table) == 1 + 3 * 2  # 3 values x 2 strategies


@pytest.mark.slow
def test_sweep_map_on_a_cluster_equals_the_local_map(tmp_path, client, capsys):
    out = _same_command(
        ["sweep", str(STUDIES / "legal_contracts.toml"), "--param",
         "workload.requests_per_day", "--values", "2000,8000,30000", "--param2",
         "strategies.hosted_ft.engineering_hours", "--values2", "20,80", "--samples", "9000",
         "--csv", "{out}/map.csv", "--html", "{out}/map.html"], tmp_path, client, capsys,
        "cells_task")
    assert "each cell: 9,000 samples" in out


def test_sobol_on_a_cluster_equals_the_local_analysis(tmp_path, client, capsys):
    out = _same_command(
        ["tornado", str(STUDIES / "legal_contracts.toml"), "--sobol", "--sobol-samples",
         "256", "--samples", "2000", "--html", "{out}/tornado.html"], tmp_path, client,
        capsys, "sobol_task")
    assert "Sobol' indices, hosted_ft" in out


def test_goal_seek_on_a_cluster_equals_the_local_search(tmp_path, client, capsys):
    out = _same_command(
        ["goal-seek", str(STUDIES / "legal_contracts.toml"), "--param",
         "strategies.hosted_ft.engineering_hours", "--target", "payback_within:12=0.2",
         "--samples", "9000"], tmp_path, client, capsys, "outcome_part")
    assert "trials of 9,000 samples each" in out


def test_tornado_scheduler_needs_sobol(capsys):
    assert main(["tornado", str(STUDIES / "lesson_parity.toml"), "--scheduler",
                 "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "add --sobol or drop --scheduler" in err


@pytest.mark.parametrize("command", [  # each waits for the connection's timeout (5 s)
    ["sweep", "--param", "workload.requests_per_day", "--values", "1000,2000"],
    pytest.param(["goal-seek", "--param", "workload.requests_per_day", "--target", "npv=0"],
                 marks=pytest.mark.slow),
    pytest.param(["tornado", "--sobol", "--sobol-samples", "64"], marks=pytest.mark.slow),
])
def test_an_unreachable_scheduler_is_exit_2_for_every_command(command, tmp_path, capsys):
    args = [command[0], str(STUDIES / "lesson_parity.toml"), *command[1:],
            "--scheduler", "tcp://127.0.0.1:9"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--scheduler tcp://127.0.0.1:9: cannot reach the scheduler" in err


@pytest.mark.slow
def test_a_worker_lost_mid_sweep_leaves_the_table_unchanged(client):
    from sim.decision import sweep

    study = load_study(STUDIES / "legal_contracts.toml").replace(samples=12000)
    args = ("workload.requests_per_day", [1000.0, 5000.0, 20000.0])
    local = sweep(study, *args)
    killed = []

    def progress(done, total):
        if not killed and done < total:
            victim = sorted(client.scheduler_info()["workers"])[0]
            pid = client.run(os.getpid, workers=[victim])[victim]
            os.kill(pid, signal.SIGKILL)
            killed.append(victim)

    remote = sweep(study, *args, client=client, progress=progress)
    assert killed
    assert remote.frame.equals(local.frame) and remote.crossings.equals(local.crossings)
