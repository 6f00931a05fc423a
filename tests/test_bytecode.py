"""ftrisk keeps its modules' bytecode when Python is told not to write it (sim.bytecode):
written once, missing or stale files only, never when Python writes it itself or when
FTRISK_NO_BYTECODE is set, and only by the command itself."""

from __future__ import annotations

import dataclasses
import inspect
import marshal
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import ClassVar

import pytest

import sim.bytecode as bytecode
import sim.cli as cli

ROOT = Path(__file__).resolve().parents[1]
#: A global of this module (DataclassCode.exec without globals reads the caller's).
HERE = 41


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
    monkeypatch.setattr(cli, "keep_dataclass_code", lambda: None)  # not in pytest's process
    monkeypatch.setattr(cli, "_main", lambda args: 0)
    monkeypatch.setattr(sys, "argv", ["ftrisk", "describe", "x.toml"])
    given = None if argv is None else ["describe", "x.toml"]
    assert cli.main(given) == 0
    assert len(seen) == calls


def test_a_command_stopped_by_a_signal_keeps_nothing(monkeypatch):
    seen = []
    monkeypatch.setattr(cli, "keep_bytecode", lambda: seen.append(1))
    monkeypatch.setattr(cli, "keep_dataclass_code", lambda: None)
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


# -- the dataclasses' methods, compiled once per machine ---------------------------------------

def _define(code: bytecode.DataclassCode | None, monkeypatch: pytest.MonkeyPatch) -> type:
    """A frozen, ordered dataclass with defaults, a factory, a keyword-only field and a class
    variable, its methods compiled through ``code`` (None: by dataclasses itself)."""
    if code is not None:
        monkeypatch.setattr(dataclasses, "exec", code.exec, raising=False)
    try:
        @dataclasses.dataclass(frozen=True, order=True)
        class Point:
            x: int
            y: float = 2.5
            tags: list[str] = dataclasses.field(default_factory=lambda: ["a"])
            _: dataclasses.KW_ONLY
            label: str = "p"
            SCALE: ClassVar[int] = 3
    finally:
        monkeypatch.delattr(dataclasses, "exec", raising=False)
    return Point


def _same_class(a: type, b: type) -> None:
    for name in ("__init__", "__repr__", "__eq__", "__lt__", "__setattr__", "__delattr__"):
        fa, fb = getattr(a, name), getattr(b, name)
        assert str(inspect.signature(fa)) == str(inspect.signature(fb)), name
        # no `from __future__ import annotations` of sim/bytecode.py in the code: the
        # annotations are dataclasses' values, not their names as strings
        assert fa.__annotations__ == fb.__annotations__, name
        assert fa.__qualname__ == fb.__qualname__
        assert fa.__code__.co_filename == fb.__code__.co_filename
    p, q = a(1, label="q"), b(1, label="q")
    fields = "x=1, y=2.5, tags=['a'], label='q')"
    assert repr(p).split("(", 1)[1] == repr(q).split("(", 1)[1] == fields
    assert p == a(1, label="q") and p != a(2, label="q") and p < a(2)
    assert hash(a(1, tags=())) == hash(a(1, tags=()))
    assert a.__match_args__ == b.__match_args__ == ("x", "y", "tags")
    assert [f.name for f in dataclasses.fields(a)] == ["x", "y", "tags", "label"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 3  # type: ignore[misc]
    with pytest.raises(TypeError, match="positional"):
        a(1, 2.0, [], "kw only")
    assert dataclasses.replace(p, x=5).x == 5 and a.SCALE == 3


def test_a_dataclass_compiled_through_the_cache_is_the_class_dataclasses_makes(
        tmp_path, monkeypatch):
    plain = _define(None, monkeypatch)
    code = bytecode.DataclassCode(tmp_path / "code.marshal")
    first = _define(code, monkeypatch)
    _same_class(first, plain)
    assert code.compiled >= 5 and code.save() and not code.save()  # nothing new: not again
    again = bytecode.DataclassCode(tmp_path / "code.marshal")  # the next process
    second = _define(again, monkeypatch)
    assert again.compiled == 0 and again.used == code.used
    _same_class(second, plain)
    assert not again.save()


@pytest.mark.parametrize("content", [b"not marshal", marshal.dumps([1, 2]),
                                     marshal.dumps({"def f(): pass": b"\x00junk"}), b""])
def test_a_damaged_file_counts_as_empty_and_is_written_again(tmp_path, monkeypatch, content):
    path = tmp_path / "code.marshal"
    path.write_bytes(content)
    plain = _define(None, monkeypatch)
    code = bytecode.DataclassCode(path)
    _same_class(_define(code, monkeypatch), plain)
    assert code.compiled >= 5 and code.save()
    assert set(marshal.loads(path.read_bytes())) >= code.used


def test_a_kept_code_that_does_not_load_is_compiled_again(tmp_path, monkeypatch):
    path = tmp_path / "code.marshal"
    code = bytecode.DataclassCode(path)
    _define(code, monkeypatch)
    code.save()
    kept = marshal.loads(path.read_bytes())
    path.write_bytes(marshal.dumps({k: marshal.dumps(7) if i == 0 else v  # not code
                                    for i, (k, v) in enumerate(kept.items())}))
    again = bytecode.DataclassCode(path)
    _same_class(_define(again, monkeypatch), _define(None, monkeypatch))
    assert again.compiled == 1


def test_a_folder_that_cannot_be_written_costs_only_the_compilation(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    code = bytecode.DataclassCode(tmp_path / "file" / "code.marshal")  # its folder: a file
    _define(code, monkeypatch)
    assert code.save() is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_past_the_limit_only_what_the_command_used_is_kept(tmp_path, monkeypatch):
    path = tmp_path / "code.marshal"
    old = {f"x = {i}": marshal.dumps(compile(f"x = {i}", "<string>", "exec"))
           for i in range(3)}
    path.write_bytes(marshal.dumps(old))
    monkeypatch.setattr(bytecode, "MAX_ENTRIES", 3 + len(old))
    code = bytecode.DataclassCode(path)
    ns: dict[str, object] = {}
    code.exec("x = 1", ns)  # kept: used, not compiled
    code.exec("y = 2", ns)
    assert ns["x"] == 1 and ns["y"] == 2 and code.compiled == 1
    assert code.save() and set(marshal.loads(path.read_bytes())) == {*old, "y = 2"}
    monkeypatch.setattr(bytecode, "MAX_ENTRIES", 3)
    code.exec("z = 3", ns)
    assert code.save() and set(marshal.loads(path.read_bytes())) == {"x = 1", "y = 2", "z = 3"}


def test_exec_keeps_its_own_defaults_and_passes_code_through(tmp_path):
    code = bytecode.DataclassCode(tmp_path / "code.marshal")
    ns: dict[str, object] = {}
    code.exec("answer = HERE + 1", None, ns)  # no globals: the caller's, as exec's own
    assert ns["answer"] == 42
    code.exec(compile("v = 2", "<string>", "exec"), {}, ns)
    assert ns["v"] == 2 and code.used == {"answer = HERE + 1"}


def test_the_cache_file_sits_in_ftrisks_cache_folder(monkeypatch, tmp_path):
    from distributions.cache import cache_dir

    for env in ({"FTRISK_CACHE_DIR": str(tmp_path / "c")}, {"XDG_CACHE_HOME": str(tmp_path)},
                {}):
        for name in ("FTRISK_CACHE_DIR", "XDG_CACHE_HOME"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        path = bytecode.dataclass_code_path()
        assert path.parent == cache_dir("dataclasses")
        assert path.name.startswith(sys.implementation.cache_tag)


def test_installed_once_and_not_at_all_when_turned_off(tmp_path, monkeypatch):
    monkeypatch.setattr(bytecode, "_INSTALLED", None)
    monkeypatch.setenv("FTRISK_NO_BYTECODE", "1")
    assert bytecode.keep_dataclass_code(tmp_path / "c.marshal") is None
    assert "exec" not in vars(dataclasses)
    monkeypatch.delenv("FTRISK_NO_BYTECODE")
    monkeypatch.setattr(dataclasses, "exec", exec, raising=False)  # undone after the test
    code = bytecode.keep_dataclass_code(tmp_path / "c.marshal")
    assert code is not None and bytecode.keep_dataclass_code() is code
    assert vars(dataclasses)["exec"] == code.exec
    saved = []
    monkeypatch.setattr(code, "save", lambda: saved.append(1))
    monkeypatch.setattr(sys, "flags", types.SimpleNamespace(dont_write_bytecode=False))
    bytecode.keep_bytecode()
    assert saved == [1]


def _command(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FTRISK_CACHE_DIR": str(tmp_path)}
    code = ("import sys; sys.argv = ['ftrisk', *sys.argv[1:]]; import sim.cli, sim.bytecode; "
            "code = sim.cli.main(); c = sim.bytecode._INSTALLED; "
            "print(code, c.compiled, len(c.used))")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, check=True)


def test_the_command_compiles_its_dataclasses_once(tmp_path):
    first = _command(tmp_path, "describe", "studies/legal_contracts.toml").stdout.split()
    path = bytecode.dataclass_code_path().relative_to(bytecode._cache_root())
    kept = tmp_path / path
    assert kept.is_file()
    written = kept.stat().st_mtime_ns
    exit_code, compiled, used = map(int, first[-3:])
    assert exit_code == 0 and compiled == used > 50  # ftrisk's own dataclasses and more
    second = _command(tmp_path, "describe", "studies/legal_contracts.toml").stdout.split()
    exit_code, compiled, used = map(int, second[-3:])
    # every one kept (fewer used: the first run compiled the kernels, whose dataclasses
    # the second, loading them from numba's cache, does not define)
    assert exit_code == 0 and compiled == 0 and used > 50
    assert kept.stat().st_mtime_ns == written  # nothing new: not written again
