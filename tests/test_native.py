"""Kernels built ahead of time (distributions.native, distributions.jit): built from the same
source with the same options as numba's just-in-time compiler, they give the same bits,
release the GIL, load without numba, and are used only for arguments of the types they were
built for; builds are keyed by their sources, happen only where the command allows them,
each in a process of its own, and the command's kernel modules side by side.

The session runs kernels just in time (FTRISK_NO_NATIVE, tests/conftest.py): each test here
lifts that and builds into a temporary folder.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import os
import pickle
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import distributions.compiled as compiled
from distributions import jit, native
from distributions.signatures import parse_signature

ROOT = Path(__file__).resolve().parents[1]

#: A module of kernels with each kind of option the real ones use: numpy's division
#: (x / 0 is inf, not an exception), no reference-counted allocator, an inlined helper, an
#: allocating kernel, a value made only when compiling (Deferred), a GIL-free loop.
TOY = '''
import numpy as np

from distributions.jit import Deferred, njit

FAST = {"cache": False, "nogil": True, "error_model": "numpy", "_nrt": False}
SCALE = 3.0


def _make_offset():
    from numba import njit as numba_njit

    return numba_njit(lambda x: x + 0.25)


offset = Deferred(_make_offset)


@njit(inline="always", **FAST)
def helper(x):
    return SCALE * x


@njit(native=("f8(f8, f8)",), **FAST)
def divide(x, y):
    return x / y


@njit(native=("void(const f8[::1], f8[::1])",), **FAST)
def scaled(x, out):
    for i in range(x.size):
        out[i] = offset(helper(x[i]))


@njit(native=("f8[::1](i8)",), cache=False, nogil=True)
def ramp(n):
    return np.arange(n) * 0.5


@njit(native=("f8(i8)",), **FAST)
def spin(n):
    s = 0.0
    for i in range(n):
        s = s * 0.999999 + i
    return s
'''


@pytest.fixture
def builds(monkeypatch):
    """Native builds on for this test (allowed, FTRISK_NO_NATIVE lifted); afterwards every
    module's loaded build is forgotten and builds are off again."""
    monkeypatch.delenv(native.ENV_OFF, raising=False)
    native.allow_builds()
    touched = []
    yield touched
    native.allow_builds(False)
    native._state["failed"].clear()
    for child in native._state["children"].values():  # builds started beside: ended
        child.wait()
    native._state["children"].clear()
    for module in touched:
        jit.unload(module)


def toy_module(folder: Path, name: str = "toy_kernels", source: str = TOY):
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def toy_folder(tmp_path_factory):
    """The toy module's folder, with a stale build of it beside the one the tests make."""
    folder = tmp_path_factory.mktemp("toy")
    module = toy_module(folder)
    stale = native.native_path(module).with_name(f"toy_kernels.native-{'0' * 16}.so")
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"stale")
    (stale.parent / ".toy_kernels.build-killed.so").write_bytes(b"half a build")
    sys.modules.pop(module.__name__)
    return folder


@pytest.fixture
def toy(toy_folder, builds):
    """The toy module, imported afresh; the first test to call a kernel builds it (one
    build for the module's tests: each takes seconds)."""
    module = toy_module(toy_folder)
    builds.append(module)
    yield module
    sys.modules.pop(module.__name__, None)


# --- signatures --------------------------------------------------------------------------

F8 = parse_signature("void(f8)")
I8 = parse_signature("void(i8)")
B1 = parse_signature("void(b1)")


@pytest.mark.parametrize(("sig", "value", "fits"), [
    (F8, 1.0, True), (F8, np.float64(1.0), True), (F8, 1, False), (F8, np.float32(1), False),
    (I8, 3, True), (I8, np.int64(3), True), (I8, True, False), (I8, np.int32(3), False),
    (I8, 1 << 63, False), (I8, -(1 << 63), True), (I8, 2.0, False),
    (B1, True, True), (B1, np.bool_(False), True), (B1, 1, False),
])
def test_a_scalar_fits_as_numba_would_type_it(sig, value, fits):
    assert sig.fits((value,)) is fits


def test_an_array_fits_by_dtype_dimensions_order_and_write_access():
    out = parse_signature("void(f8[:, ::1])")
    read = parse_signature("void(const f8[:, ::1])")
    a = np.zeros((3, 4))
    assert out.fits((a,)) and read.fits((a,))
    assert not out.fits((a.astype(np.float32),))  # dtype
    assert not out.fits((a.reshape(-1),))  # dimensions
    assert not out.fits((np.asfortranarray(a),))  # order
    assert not out.fits((a[:, ::2],))  # not contiguous
    assert not out.fits((a.tolist(),))  # not an array
    frozen = a.copy()
    frozen.flags.writeable = False
    assert read.fits((frozen,)) and not out.fits((frozen,))  # written: must be writable
    assert not out.fits((a, a)) and not out.fits(())  # argument count


def test_a_signature_fits_when_each_argument_does():
    """Signature.fits (its checks prepared once per signature) says what each argument's
    Arg.fits says, on a mixed signature and every combination of good and bad arguments
    (unaligned and read-only arrays among them)."""
    import itertools

    sig = parse_signature("void(const f8[::1], i8, f8[:, ::1], f8, b1)")
    unaligned = np.frombuffer(bytearray(8 * 4 + 1), dtype=np.float64, offset=1)
    frozen = np.zeros((2, 3))
    frozen.flags.writeable = False
    choices = [
        [np.zeros(4), unaligned, np.zeros(4, dtype=np.float32), np.zeros((2, 2)), [0.0]],
        [3, np.int64(3), True, 1 << 63, 3.0],
        [np.zeros((2, 3)), frozen, np.zeros((2, 3))[:, ::2], np.zeros(6)],
        [1.5, np.float64(1.5), 1, np.float32(1.5)],
        [False, np.bool_(True), 0],
    ]
    assert not unaligned.flags.aligned
    for args in itertools.product(*choices):
        each = all(a.fits(v) for a, v in zip(sig.args, args, strict=True))
        assert sig.fits(args) is each, args
    assert not sig.fits(tuple(c[0] for c in choices)[:4])  # one argument short
    assert sig.fits((np.zeros(4), 3, np.zeros((2, 3)), 1.5, False))
    assert not sig.fits((unaligned, 3, np.zeros((2, 3)), 1.5, False))  # numba: unaligned


@pytest.mark.parametrize("text", ["void(f4)", "void(f8[:])", "void(x8[::1])", "f8", "void(f8"])
def test_an_unreadable_signature_says_what_it_reads(text):
    with pytest.raises(ValueError, match="kernel signature"):
        parse_signature(text)


# --- a build of a module of kernels ------------------------------------------------------

def test_a_build_gives_the_just_in_time_bits_and_keeps_the_options(toy):
    x = np.random.default_rng(7).normal(size=1001) * 1e3
    jit_out = np.empty_like(x)
    toy.scaled.dispatcher(x, jit_out)
    out = np.empty_like(x)
    toy.scaled(x, out)  # builds the module (allowed), then runs the build
    path = native.native_path(toy)
    assert path.is_file() and path.parent == Path(toy.__file__).parent / "__pycache__"
    # the stale build and a killed build's leftover went
    assert [p.name for p in path.parent.glob("*.so")] == [path.name]
    assert len(toy.scaled.native_functions()) == 1
    assert out.tobytes() == jit_out.tobytes()
    assert out[0] == 3.0 * x[0] + 0.25  # the inlined helper and the Deferred global
    assert toy.divide(1.0, 0.0) == math.inf  # numpy's division, as the dispatcher's
    assert math.isnan(toy.divide(0.0, 0.0))
    np.testing.assert_array_equal(toy.ramp(4), [0.0, 0.5, 1.0, 1.5])  # allocates
    assert toy.spin(10_000) == toy.spin.dispatcher(10_000)


def test_arguments_of_other_types_run_just_in_time(toy):
    toy.divide(1.0, 2.0)
    assert toy.divide.dispatcher.signatures == []  # the build ran it
    assert toy.divide(1, 2) == 0.5  # ints: not the built signature
    assert len(toy.divide.dispatcher.signatures) == 1
    x = np.arange(6.0)[::2]  # not contiguous
    out = np.empty(3)
    toy.scaled(x, out)
    np.testing.assert_array_equal(out, 3.0 * x + 0.25)


def test_a_build_releases_the_gil(toy):
    toy.spin(10)  # build first
    n = 100_000_000
    t0 = time.perf_counter()
    toy.spin(n)
    alone = time.perf_counter() - t0
    thread = threading.Thread(target=toy.spin, args=(n,))
    gaps, last = [0.0], time.perf_counter()
    thread.start()
    while thread.is_alive():
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    thread.join()
    # holding the GIL, the kernel would stop this loop for all of its run; released, the
    # loop only waits for the thread's own Python steps (a switch interval, 5 ms, at most)
    assert alone > 0.03
    assert max(gaps) < alone / 2, (max(gaps), alone)


def test_a_loaded_build_needs_no_numba(toy):
    toy.spin(10)  # build
    probe = textwrap.dedent(f"""
        import sys
        sys.path[:0] = [{str(ROOT)!r}, {str(Path(toy.__file__).parent)!r}]
        from distributions import native
        native.allow_builds(False)
        import numpy as np
        import {toy.__name__} as toy
        out = np.empty(3)
        toy.scaled(np.arange(3.0), out)
        assert toy.scaled.native_functions(), "the build was not found"
        print(out.tolist(), "numba" in sys.modules)
    """)
    env = {k: v for k, v in os.environ.items() if k != native.ENV_OFF}
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("]")[1].strip() == "False"
    assert proc.stdout.startswith("[0.25, 3.25, 6.25]")


def test_the_key_follows_the_sources(tmp_path):
    module = toy_module(tmp_path)
    key = native.build_key(module)
    assert native.build_key(module) == key and len(key) == 16
    (tmp_path / "toy_kernels.py").write_text(TOY.replace("SCALE = 3.0", "SCALE = 4.0"))
    assert native.build_key(module) != key  # a constant compiled in: another build
    (tmp_path / "toy_kernels.py").write_text(TOY)
    assert native.build_key(module) == key
    module.NATIVE_SOURCES = ("distributions.signatures",)
    assert native.build_key(module) != key  # a source it names
    sys.modules.pop(module.__name__)


def test_the_switch_turns_builds_off(tmp_path, builds, monkeypatch):
    module = toy_module(tmp_path, "toy_off")
    builds.append(module)
    monkeypatch.setenv(native.ENV_OFF, "1")
    assert module.divide(1.0, 4.0) == 0.25
    assert module.divide.native_functions() == []
    assert not native.native_path(module).exists()
    sys.modules.pop(module.__name__)


def test_without_leave_to_build_nothing_is_built(tmp_path, builds):
    module = toy_module(tmp_path, "toy_unbuilt")
    builds.append(module)
    native.allow_builds(False)
    assert module.divide(1.0, 4.0) == 0.25
    assert module.divide.native_functions() == [] and not native.native_path(module).exists()
    sys.modules.pop(module.__name__)


def test_a_failed_build_leaves_a_note_and_is_not_tried_again(tmp_path, builds,
                                                              monkeypatch):
    toy = toy_module(tmp_path, "toy_failed")
    builds.append(toy)
    tries = []

    def broken(module, folder):
        tries.append(module.__name__)
        return [sys.executable, "-c", "import sys; print('compiling'); "
                "sys.exit('OSError: no C compiler')"]

    monkeypatch.setattr(native, "_child_command", broken)
    assert toy.divide(3.0, 2.0) == 1.5  # just in time
    note = native._failure_note(toy, native.build_key(toy))
    assert note.read_text() == "OSError: no C compiler\n"
    jit.unload(toy)
    native._state["failed"].clear()  # as a new process: the note alone stops a retry
    assert toy.spin(3) == toy.spin.dispatcher(3)
    assert tries == [toy.__name__]
    sys.modules.pop(toy.__name__)


def test_a_build_that_cannot_be_loaded_is_built_again(tmp_path, builds):
    toy = toy_module(tmp_path, "toy_truncated")
    builds.append(toy)
    path = native.native_path(toy)
    path.parent.mkdir()
    path.write_bytes(b"\x7fELF truncated")
    native.allow_builds(False)
    assert toy.divide(1.0, 8.0) == 0.125  # just in time; the file is left
    assert toy.divide.native_functions() == [] and path.read_bytes().endswith(b"truncated")
    jit.unload(toy)
    native.allow_builds()
    assert toy.divide(1.0, 8.0) == 0.125
    assert toy.divide.native_functions() and path.stat().st_size > 1000
    sys.modules.pop(toy.__name__)


def test_no_key_no_build(tmp_path, builds, monkeypatch):
    """A source or version file that cannot be read gives no key: just in time."""
    module = toy_module(tmp_path, "toy_keyless")
    builds.append(module)

    def unreadable(name):
        raise OSError(f"cannot read {name}")

    monkeypatch.setattr(native, "_source", unreadable)
    assert module.divide(1.0, 4.0) == 0.25
    assert module.divide.native_functions() == []
    assert not (tmp_path / "__pycache__").exists()
    sys.modules.pop(module.__name__)


def test_a_build_goes_to_the_user_cache_when_the_package_is_read_only(tmp_path, monkeypatch):
    module = toy_module(tmp_path, "toy_read_only")
    home = tmp_path / "home-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    package_cache = tmp_path / "__pycache__"
    package_cache.mkdir()
    writable = os.access
    monkeypatch.setattr(native.os, "access", lambda p, mode: Path(p) != package_cache
                        and writable(p, mode))
    monkeypatch.setattr(native, "_compile",
                        lambda module, entries, target: target.write_bytes(b"built"))
    target = native.build(module, [])
    assert target.parent == home / "ftrisk" and target.read_bytes() == b"built"
    assert target == native.native_path(module, home / "ftrisk")
    assert list(package_cache.iterdir()) == []
    sys.modules.pop(module.__name__)


def test_kernels_pickle_by_reference():
    from sim.costs import fused

    assert pickle.loads(pickle.dumps(fused.simulate)) is fused.simulate
    assert pickle.loads(pickle.dumps(compiled.normal_into)) is compiled.normal_into


def test_only_the_command_builds(monkeypatch):
    from sim import cli

    calls = []
    monkeypatch.setattr(native, "allow_builds",
                        lambda allow=True, together=(): calls.append((allow, together)))
    monkeypatch.setattr(cli, "_main", lambda args: 0)
    monkeypatch.setattr(cli, "keep_bytecode", lambda: None)
    assert cli.main(["prices"]) == 0 and calls == []
    monkeypatch.setattr(sys, "argv", ["ftrisk", "prices"])
    assert cli.main() == 0 and calls == [(True, cli.KERNEL_MODULES)]


def test_the_command_names_every_kernel_module():
    """Its list of modules to build side by side is every module with kernels to build."""
    from sim import cli

    found = set()
    for package in ("distributions", "sim"):
        for path in (ROOT / package).rglob("*.py"):
            if "@njit(native=" in path.read_text(encoding="utf-8"):
                found.add(".".join(path.relative_to(ROOT).with_suffix("").parts))
    assert found == set(cli.KERNEL_MODULES)


#: A kernel module that builds in seconds.
SMALL = '''
from distributions.jit import njit


@njit(native=("f8(f8, f8)",), cache=False, nogil=True, error_model="numpy")
def divide(x, y):
    return x / y
'''


def test_builds_run_in_processes_of_their_own_and_side_by_side(tmp_path, builds,
                                                                monkeypatch):
    """The first module needed starts the builds of the others named with it; none is
    compiled in this process (whose memory would keep the compiler's), and a build process
    imports the module's packages bare: their ``__init__`` (ftrisk's import every library
    the tool uses) would only add to the build's memory."""
    package = tmp_path / "toy_package"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import os\nif os.environ.get('TOY_IN_BUILD'):\n"
        "    raise RuntimeError('the package ran its __init__')\n", encoding="utf-8")
    (package / "kernels.py").write_text(SMALL, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    first = importlib.import_module("toy_package.kernels")
    second = toy_module(tmp_path, "toy_second", SMALL)
    builds.extend([first, second])
    monkeypatch.setenv("TOY_IN_BUILD", "1")  # for the build processes only: imported here
    native.allow_builds(together=("toy_package.kernels", "toy_second", "toy_absent"))

    def here(module, entries, folder=None):
        raise AssertionError("built in this process")

    monkeypatch.setattr(native, "build", here)
    assert first.divide(1.0, 0.0) == math.inf
    assert first.divide.native_functions()
    assert native.native_path(first).parent == package / "__pycache__"
    assert "toy_second" in native._state["children"]  # started beside the first
    assert second.divide(3.0, 4.0) == 0.75 and second.divide.native_functions()
    assert native._state["children"] == {}
    assert native.native_path(second).is_file()
    for name in ("toy_package.kernels", "toy_package", "toy_second"):
        sys.modules.pop(name)


def test_a_build_started_beside_that_fails_leaves_its_note(tmp_path, builds, monkeypatch):
    first = toy_module(tmp_path, "toy_unlucky", SMALL)
    second = toy_module(tmp_path, "toy_broken", SMALL)
    builds.extend([first, second])
    native.allow_builds(together=("toy_unlucky", "toy_broken"))

    def failing(module, folder):
        reason = "no compiler" if module is first else "no headers"
        return [sys.executable, "-c", f"import sys; sys.exit('OSError: {reason}')"]

    monkeypatch.setattr(native, "_child_command", failing)
    assert first.divide(1.0, 2.0) == 0.5  # just in time
    assert "toy_broken" in native._state["children"]
    assert second.divide(1.0, 2.0) == 0.5 and second.divide.native_functions() == []
    for module, reason in ((first, "no compiler"), (second, "no headers")):
        note = native._failure_note(module, native.build_key(module))
        assert note.read_text() == f"OSError: {reason}\n"
        sys.modules.pop(module.__name__)


def test_a_stopped_build_leaves_no_note(tmp_path, builds, monkeypatch):
    """A build stopped by Ctrl-C (exit 130) or a signal is tried again by the next process."""
    for name, status in (("toy_stopped", "130"), ("toy_killed", "-9")):
        toy = toy_module(tmp_path, name, SMALL)
        builds.append(toy)
        script = ("import os, signal, sys; os.kill(os.getpid(), signal.SIGKILL)"
                  if status == "-9" else "import sys; sys.exit(130)")
        monkeypatch.setattr(native, "_child_command",
                            lambda module, folder, script=script: [sys.executable, "-c",
                                                                   script])
        assert toy.divide(1.0, 4.0) == 0.25  # just in time
        assert not native._failure_note(toy, native.build_key(toy)).exists()
        assert toy.__name__ in native._state["failed"]  # not again in this process
        sys.modules.pop(toy.__name__)


def test_the_build_process_says_why_it_failed(tmp_path, capsys):
    from distributions import native_child

    assert native_child.main([]) == 2
    assert "usage" in capsys.readouterr().err
    missing = str(tmp_path / "nowhere.py")
    assert native_child.main(["toy_nowhere", missing, str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith(("FileNotFoundError", "ImportError"))


def test_the_build_process_loads_a_module_from_its_file(tmp_path):
    from distributions import native_child

    (tmp_path / "toy_by_file.py").write_text("VALUE = 7\n", encoding="utf-8")
    module = native_child.load_module("toy_by_file", str(tmp_path / "toy_by_file.py"))
    assert module.VALUE == 7 and sys.modules.pop("toy_by_file") is module


# --- the real kernels ----------------------------------------------------------------------

@pytest.fixture
def private_builds(tmp_path, monkeypatch, builds):
    """Builds of ftrisk's own kernel modules go to a temporary folder."""
    monkeypatch.setattr(native, "_folders", lambda module: [tmp_path / module.__name__])
    return builds


def quantile_cases(rng):
    p = rng.random(4099)
    p[:3] = [0.0, 1.0, 1e-300]
    return [
        ("ndtri_into", (p,)),
        ("normal_into", (p, 1.5, 0.3)),
        ("uniform_into", (p, -2.0, 5.0, 3.0)),
        ("steps_into", (p, 6.0, 3.0, 8.0)),
        ("triangular_into", (p, 1.0, 4.0, 3.0, 0.4, 1.1, 1.4)),
    ]


def test_the_quantile_kernels_built_give_the_same_bits(private_builds):
    jit.unload(compiled)  # earlier tests ran them without builds: look again
    private_builds.append(compiled)
    rng = np.random.default_rng(11)
    for name, args in quantile_cases(rng):
        kernel = getattr(compiled, name)
        want, got = np.empty(args[0].size), np.empty(args[0].size)
        kernel.dispatcher(*args, want)
        kernel(*args, got)
        assert kernel.native_functions(), name
        assert got.tobytes() == want.tobytes(), name
    z = np.linspace(-6.0, 6.0, 97)
    slope = np.exp(-z)
    p = rng.random(1000)
    want, got = np.empty(1000), np.empty(1000)
    assert compiled.hermite_into(p, -6.0, 0.125, z, slope, 5.0, got) == \
        compiled.hermite_into.dispatcher(p, -6.0, 0.125, z, slope, 5.0, want)
    assert got.tobytes() == want.tobytes()
    x = rng.normal(size=513)
    keys, keys_jit = np.empty(513, np.uint64), np.empty(513, np.uint64)
    compiled.order_keys(x, 10, keys)
    compiled.order_keys.dispatcher(x, 10, keys_jit)
    assert keys.tobytes() == keys_jit.tobytes()
    keys.sort()
    out = np.zeros(513)
    assert compiled.place_sorted(keys, 10, x, np.arange(513.0), out)
    np.testing.assert_array_equal(out[np.argsort(x)], np.arange(513.0))
    p = rng.random(2000)
    p[:3] = [0.0, 1.0, 0.5]
    for k, n in ((0, 50), (7, 50), (480, 500), (50, 50)):  # the pilot's binomial CDF
        want, got = np.empty(p.size), np.empty(p.size)
        compiled.bdtr_into.dispatcher(k, n, p, want)
        compiled.bdtr_into(k, n, p, got)
        assert got.tobytes() == want.tobytes(), (k, n)


@pytest.mark.slow
def test_every_kernel_module_built_gives_the_same_run(tmp_path, monkeypatch):
    """A whole ``ftrisk run`` of each bundled study with every kernel built ahead of time
    writes the same samples.parquet and summary.json as one just in time (~1 min of
    builds)."""
    env = {k: v for k, v in os.environ.items() if k != native.ENV_OFF}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    # builds go to (and are found in) folders of tmp_path
    private = ("import sys\nfrom distributions import native\n"
               f"native._folders = lambda m: [__import__('pathlib').Path({str(tmp_path)!r})"
               " / m.__name__]\n")
    script = private + ("from sim.cli import main\nsys.argv = ['ftrisk', *sys.argv[1:]]\n"
                        "sys.exit(main())")
    for study in sorted((ROOT / "studies").glob("*.toml")):
        outs = []
        for mode, extra in (("native", {}), ("jit", {native.ENV_OFF: "1"})):
            out = tmp_path / f"{study.stem}-{mode}"
            proc = subprocess.run(
                [sys.executable, "-c", script, "run", str(study), "--samples", "2048",
                 "--out", str(out), "--quiet"], capture_output=True, text=True,
                env={**env, **extra, "PYTHONPATH": str(ROOT)}, cwd=tmp_path, timeout=600,
                check=False)
            assert proc.returncode == 0, proc.stderr
            outs.append(out)
        for name in ("samples.parquet", "summary.json"):
            assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), study.stem
    built = [p.name for p in tmp_path.glob("*/*.native-*") if not p.name.startswith(".")]
    assert len(built) == 3, built  # every kernel module was built
    # a program that calls the library loads those builds: the light path imports no numba
    # (its draws fill parts of one array, the model runs on two threads)
    probe = private + (
        "import sim\nstudy = sim.load_study(sys.argv[1]).replace(samples=70_000)\n"
        "sim.run(study, write=False)\nprint('numba' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", probe, str(ROOT / "benchmarks" /
                                                            "five_strategies.toml")],
                          capture_output=True, text=True, env={**env, "PYTHONPATH": str(ROOT)},
                          cwd=tmp_path, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False"]


def test_the_exports_compile_in_the_order_given_largest_first():
    """pycc compiles the exports sorted by name; a build compiles them in the order it
    exported them (the module's NATIVE_FIRST kernels first)."""

    class Sorted:  # what pycc's compiler class does
        def __init__(self):
            self._exported_functions = {}

        @property
        def _export_entries(self):
            return sorted(self._exported_functions.values())

    cc = native._in_order(Sorted)()
    cc._exported_functions.update(simulate="simulate", api="api", b="b")
    assert cc._export_entries == ["simulate", "api", "b"]


    class Other:  # a numba that keeps its exports elsewhere: its own order
        def __init__(self):
            self._entries = ["b", "a"]

        @property
        def _export_entries(self):
            return sorted(self._entries)

    assert native._in_order(Other)()._export_entries == ["a", "b"]


def test_the_fused_model_names_kernels_to_compile_first():
    import sim.costs.fused as fused

    names = {k.__name__ for k in jit.kernels_of(fused) if k.signatures}
    assert fused.NATIVE_FIRST == ("simulate",) and set(fused.NATIVE_FIRST) <= names
