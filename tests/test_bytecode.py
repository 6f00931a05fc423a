"""ftrisk keeps its modules' bytecode when Python is told not to write it (sim.bytecode):
written once, missing or stale files only, never when Python writes it itself or when
FTRISK_NO_BYTECODE is set, and only by the command itself."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest

import sim.bytecode as bytecode
import sim.cli as cli


def _package(tmp_path: Path) -> Path:
    folder = tmp_path / "pkg"
    (folder / "sub").mkdir(parents=True)
    (folder / "__init__.py").write_text("X = 1\n")
    (folder / "sub" / "__init__.py").write_text("")
    (folder / "sub" / "m.py").write_text("Y = 2\n")
    return folder


def _pycs(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns
            for p in folder.rglob("__pycache__/*.pyc")}


def test_missing_bytecode_is_written_once_and_stale_bytecode_again(tmp_path):
    folder = _package(tmp_path)
    assert bytecode.compile_folders([folder])
    first = _pycs(folder)
    assert sorted(Path(p).name.split(".")[0] for p in first) == ["__init__", "__init__", "m"]
    assert bytecode.compile_folders([folder])
    assert _pycs(folder) == first  # fresh files are left as they are
    m = folder / "sub" / "m.py"
    m.write_text("Y = 3  # changed\n")
    os.utime(m, ns=(m.stat().st_atime_ns, m.stat().st_mtime_ns + 10**9))
    assert bytecode.compile_folders([folder])
    after = _pycs(folder)
    changed = [p for p in after if after[p] != first[p]]
    assert len(changed) == 1 and "m." in changed[0]


def test_a_folder_that_is_not_there_is_not_an_error(tmp_path):
    bytecode.compile_folders([tmp_path / "missing"])
    assert not (tmp_path / "missing").exists()


def _python(monkeypatch: pytest.MonkeyPatch, *, dont_write: bool, package: Path) -> None:
    fake_sys = types.SimpleNamespace(
        flags=types.SimpleNamespace(dont_write_bytecode=dont_write),
        modules={"pkg": types.SimpleNamespace(__file__=str(package / "__init__.py"))})
    monkeypatch.setattr(bytecode, "sys", fake_sys)
    monkeypatch.setattr(bytecode, "PACKAGES", ("pkg", "not_imported"))


def test_kept_only_when_python_does_not_write_it(tmp_path, monkeypatch):
    folder = _package(tmp_path)
    monkeypatch.delenv("FTRISK_NO_BYTECODE", raising=False)
    _python(monkeypatch, dont_write=False, package=folder)
    assert bytecode.keep_bytecode() is False
    assert _pycs(folder) == {}
    _python(monkeypatch, dont_write=True, package=folder)
    monkeypatch.setenv("FTRISK_NO_BYTECODE", "1")
    assert bytecode.keep_bytecode() is False
    assert _pycs(folder) == {}
    monkeypatch.delenv("FTRISK_NO_BYTECODE")
    assert bytecode.keep_bytecode() is True
    assert len(_pycs(folder)) == 3


def test_ftrisks_own_packages_are_the_ones_kept():
    # the packages pyproject.toml installs, nothing else
    import tomllib
    root = Path(__file__).resolve().parents[1]
    found = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert [p.rstrip("*") for p in found["packages"]["find"]["include"]] == list(
        bytecode.PACKAGES)


@pytest.mark.parametrize(("argv", "calls"), [(None, 1), (["--version-free-call"], 0)])
def test_only_the_command_itself_keeps_bytecode(monkeypatch, capsys, argv, calls):
    seen = []
    monkeypatch.setattr(cli, "keep_bytecode", lambda: seen.append(1))
    monkeypatch.setattr(cli, "_main", lambda args: 0)
    monkeypatch.setattr(sys, "argv", ["ftrisk", "describe", "x.toml"])
    given = None if argv is None else ["describe", "x.toml"]
    assert cli.main(given) == 0
    assert len(seen) == calls


def test_a_command_stopped_by_a_signal_keeps_nothing(monkeypatch):
    seen = []
    monkeypatch.setattr(cli, "keep_bytecode", lambda: seen.append(1))
    monkeypatch.setattr(cli, "_main", lambda args: 130)
    monkeypatch.setattr(sys, "argv", ["ftrisk", "describe", "x.toml"])
    assert cli.main() == 130
    assert seen == []


def test_a_folder_the_user_cannot_write_is_not_compiled_in_vain(tmp_path, monkeypatch):
    # an install owned by someone else (root's site-packages): every start would compile
    # every module only to fail at the write
    folder = _package(tmp_path)
    compiled = []
    monkeypatch.setattr(bytecode.compileall, "compile_dir",
                        lambda *a, **k: compiled.append(a) or True)
    monkeypatch.setattr(bytecode.os, "access", lambda path, mode: False)
    assert bytecode.compile_folders([folder]) is False
    assert compiled == []
    monkeypatch.setattr(bytecode.os, "access", lambda path, mode: True)
    assert bytecode.compile_folders([folder]) is True
    assert len(compiled) == 1


def test_writable_looks_at_the_cache_folder_once_it_exists(tmp_path, monkeypatch):
    folder = _package(tmp_path)
    asked = []
    monkeypatch.setattr(bytecode.os, "access", lambda path, mode: asked.append(Path(path)) or True)
    assert bytecode._writable(folder)
    (folder / "__pycache__").mkdir()
    assert bytecode._writable(folder)
    assert asked == [folder, folder / "__pycache__"]
