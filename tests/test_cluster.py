"""Runs on a Dask LocalCluster (127.0.0.1, 2 worker processes) equal local runs, byte for byte."""

from __future__ import annotations

import json
import os
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


def _same_files(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        if name in ("manifest.json", "report.html"):
            continue  # they hold the timings
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma, mb = (json.loads((f / "manifest.json").read_text()) for f in (a, b))
    ma.pop("timings"), mb.pop("timings")
    assert ma == mb


def test_run_on_a_cluster_equals_the_local_run(tmp_path, client):
    study = load_study(STUDIES / "legal_contracts.toml").replace(samples=3000)
    run_to_folder(study, tmp_path / "local", chunk_size=2048)
    run_to_folder(study, tmp_path / "cluster", chunk_size=1000, client=client)
    _same_files(tmp_path / "local", tmp_path / "cluster")


@pytest.mark.slow
def test_portfolio_on_a_cluster_equals_the_local_run(tmp_path, client):
    p = load_portfolio(STUDIES / "portfolio.toml").replace(samples=3000)
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
