"""The command's start and end (sim.process): deferred imports and the quick exit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from sim import process


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_the_deferred_modules_load_only_when_used_and_then_whole():
    out = _python("""
        import sys
        from sim.process import defer_unused_imports
        print(type(defer_unused_imports()).__name__, defer_unused_imports())
        import scipy.special  # reads every attribute numpy lists
        import altair
        heavy = ["numpy.f2py.crackfortran", "charset_normalizer",
                 "numpy.testing._private.utils", "altair.datasets._reader",
                 "packaging.requirements"]
        print([m for m in heavy if m in sys.modules])
        import numpy
        print(callable(numpy.f2py.run_main), numpy.ma.masked_array([1, 2]).sum(),
              numpy.testing.assert_equal(1, 1), altair.datasets.Loader.__name__)
        from numpy.f2py import get_include
        print([m for m in heavy if m not in sys.modules], get_include().endswith("src"))
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "LazyFinder None", "[]", "True 3 None Loader", "[] True"]


def test_the_finder_leaves_other_and_compiled_modules_to_python():
    finder = process.LazyFinder(["json", "_ctypes", "no_such_module_ftrisk"])
    spec = finder.find_spec("json", None)
    assert spec is not None and type(spec.loader).__name__ == "LazyLoader"
    assert finder.find_spec("_ctypes", None) is None  # a compiled module
    assert finder.find_spec("no_such_module_ftrisk", None) is None
    assert finder.find_spec("csv", None) is None  # not named


def test_the_command_defers_f2py_before_scipy_loads():
    out = _python("""
        import sys
        sys.argv = ["ftrisk", "describe", "/no/such/study.toml"]
        from sim.cli import main
        from sim.process import DEFERRED
        code = main()
        special = "scipy.special" in sys.modules  # not needed to read a study
        import scipy.special
        print(code, special, "numpy.f2py.crackfortran" in sys.modules)
        print(sys.meta_path[0].names == set(DEFERRED))
    """)
    assert out.stdout.strip().splitlines()[-2:] == ["2 False False", "True"], out.stderr


def test_quick_exit_flushes_runs_atexit_and_keeps_the_code(tmp_path):
    mark = tmp_path / "atexit.txt"
    out = _python(f"""
        import atexit, sys
        from sim.process import quick_exit
        atexit.register(lambda: open({str(mark)!r}, "w").write("ran"))
        atexit.register(lambda: print("from atexit", file=sys.stderr, end=""))
        sys.stdout.write("x" * 200_000)  # more than a pipe's buffer, not flushed yet
        quick_exit(3)
        print("not reached")
    """)
    assert out.returncode == 3
    assert out.stdout == "x" * 200_000
    assert out.stderr == "from atexit"
    assert mark.read_text() == "ran"


def test_quick_exit_leaves_the_exit_to_python_while_a_thread_runs():
    out = _python("""
        import threading, time
        from sim.process import quick_exit
        stop = threading.Event()
        t = threading.Thread(target=lambda: (stop.wait(0.5), print("thread done")))
        t.start()
        print("returned", quick_exit(4))
    """)
    assert out.returncode == 0  # the script went on; Python's exit joined the thread
    assert out.stdout.splitlines() == ["returned 4", "thread done"]


def test_quick_exit_returns_when_the_output_cannot_be_flushed():
    out = _python("""
        import io, sys
        from sim.process import quick_exit
        class Gone(io.StringIO):  # as a pipe whose reader left
            def flush(self):
                raise BrokenPipeError(32, "Broken pipe")
        sys.stdout = Gone()
        print("returned", quick_exit(5), file=sys.stderr)
    """)
    assert "returned 5" in out.stderr


@pytest.mark.parametrize(("args", "code"), [(["--version"], 0), (["describe", "/no/such.toml"], 2)])
def test_the_console_script_keeps_its_exit_codes(args, code):
    out = subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == code
    assert (out.stdout + out.stderr).strip()


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "1"),
    ({"OMP_NUM_THREADS": "3"}, None),  # the user's choice stands
    ({"OPENBLAS_NUM_THREADS": "2"}, "2"),
])
def test_the_command_runs_openblas_on_one_thread_unless_told(env, expected):
    clean = {k: v for k, v in os.environ.items() if k not in process.BLAS_THREADS}
    code = ("import os, sys\n"
            "sys.argv = ['ftrisk', 'describe', '/no/such/study.toml']\n"
            "from sim.cli import main\n"
            "main()\n"
            "print(os.environ.get('OPENBLAS_NUM_THREADS'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, stdin=subprocess.DEVNULL, env={**clean, **env})
    assert out.stdout.strip().splitlines()[-1] == str(expected), out.stderr


def test_one_blas_thread_is_too_late_once_numpy_is_loaded(monkeypatch):
    import numpy  # noqa: F401

    for name in process.BLAS_THREADS:
        monkeypatch.delenv(name, raising=False)
    assert process.one_blas_thread() is False
    assert "OPENBLAS_NUM_THREADS" not in os.environ


def test_quick_exit_without_a_console_stream_leaves_the_exit_to_python():
    out = _python("""
        import sys
        from sim.process import quick_exit
        sys.stdout = None  # as under pythonw
        print("returned", quick_exit(6), file=sys.stderr)
    """)
    assert "returned 6" in out.stderr


@pytest.fixture
def collector():
    """Python's garbage collector as it was, after the test."""
    import gc

    was = gc.isenabled()
    yield gc
    (gc.enable if was else gc.disable)()


def test_the_collector_pauses_for_the_listed_commands_only(collector):
    assert process.pause_collector() is True and not collector.isenabled()
    assert process.pause_collector("run") is True and not collector.isenabled()
    assert process.pause_collector("serve") is False and collector.isenabled()
    assert process.pause_collector("sweep") is True and not collector.isenabled()
    # a run on a Dask scheduler: the client's event loop makes cycles
    assert process.pause_collector("run", scheduler="127.0.0.1:8786") is False
    assert collector.isenabled()
    assert process.pause_collector("portfolio") is False and collector.isenabled()


def test_the_paused_commands_are_commands_and_the_cyclic_ones_are_not_among_them():
    from sim.cli import commands

    assert set(commands()) >= process.COLLECTOR_PAUSED
    assert not process.COLLECTOR_PAUSED & {"serve", "portfolio", "app"}


@pytest.mark.parametrize(("argv", "paused"), [
    (["describe", "studies/lesson_parity.toml"], True),
    (["prices", "--help"], True),  # the parser exits before the command's choice
    (["prices"], False),
])
def test_the_command_runs_with_the_collector_its_list_says(argv, paused):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = _python(f"""
        import atexit, gc, os, sys
        os.chdir({root!r})
        sys.argv = ["ftrisk", *{argv!r}]
        atexit.register(lambda: print("collector on:", gc.isenabled(), file=sys.stderr))
        from sim.cli import command
        command()
    """)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines()[-1] == f"collector on: {not paused}"
