"""Kernel modules compiled ahead of time: one extension module per module of kernels
(:mod:`distributions.jit`), built by numba from the same source with the same options as
its just-in-time compiler, and loaded with no numba at all.

A build is keyed by everything its code depends on (:func:`build_key`): the module's
source and the sources it names in ``NATIVE_SOURCES``, these three modules', numba's and
numpy's versions, Python's, and the processor numba compiles for. It lives next to the
module, in ``__pycache__`` (or in ``$XDG_CACHE_HOME/ftrisk`` when that cannot be written),
as ``<module>.native-<key><suffix>``; a stale build is simply never found again (and
removed by the next build).

Builds happen only where :func:`allow_builds` was called (the ``ftrisk`` command: it
builds each kernel module the first time one of its kernels runs, instead of compiling it
just in time, in about the same time) and need a C compiler and Python's headers (numba's
``pycc``). A build that fails leaves a note with the reason
(``<module>.native-<key>.failed``) and is not tried again for that key: the kernels then
run just in time, as they do wherever no build is found. ``FTRISK_NO_NATIVE=1`` turns
loading and building off.

Each build runs in a process of its own (:mod:`distributions.native_child`): the
compiler's memory (~280 MiB for the three modules of ftrisk's kernels) is not kept by the
process that asked for the build, and the modules named with :func:`allow_builds` are built
side by side, on as many cores, when the first of them is needed.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.machinery
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import types as pytypes
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["ENV_OFF", "BuildError", "allow_builds", "build", "build_key", "export_name",
           "forget", "library", "native_path"]

#: Set (to anything but empty) to load and build nothing ahead of time.
ENV_OFF = "FTRISK_NO_NATIVE"
#: The exit status of a build process stopped by Ctrl-C (128 + SIGINT).
INTERRUPTED = 130
#: Modules whose source every build depends on (the build and dispatch code).
_OWN = ("distributions.native", "distributions.jit", "distributions.signatures",
        "distributions.native_child")

_LOCK = threading.Lock()
_state: dict[str, Any] = {"build": False, "together": (), "failed": set(), "loaded": {},
                          "children": {}}

#: What a build compiles: (export name, numba dispatcher, signature) per kernel signature.
Entry = tuple[str, Any, Any]


class BuildError(RuntimeError):
    """A build's process failed; the message is the reason it gave. ``interrupted``: it was
    stopped (a signal, Ctrl-C), which says nothing of a later try."""

    def __init__(self, reason: str, interrupted: bool = False) -> None:
        super().__init__(reason)
        self.interrupted = interrupted


def allow_builds(allow: bool = True, together: tuple[str, ...] = ()) -> None:
    """Let :func:`library` build a kernel module that has no build yet (the ``ftrisk``
    command does; a library caller loads builds but never starts one).

    ``together`` names kernel modules to build at the same time as the first one needed,
    each in a process of its own (those without a build; imported to find out).
    """
    _state["build"] = allow
    _state["together"] = tuple(together) if allow else ()


def forget(name: str) -> None:
    """Drop what :func:`library` found for the module ``name`` (it looks again next time)."""
    with _LOCK:
        _state["loaded"].pop(name, None)


def export_name(name: str, index: int) -> str:
    """The name of a kernel's ``index``-th signature in the extension module."""
    return f"{name}__{index}"


def _source(module_name: str) -> bytes:
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        raise ImportError(f"no source for {module_name}")
    return Path(spec.origin).read_bytes()


def _processor() -> str:
    """What numba compiles for: its CPU settings and this processor's model and flags."""
    cpu = [os.environ.get("NUMBA_CPU_NAME", ""), os.environ.get("NUMBA_CPU_FEATURES", ""),
           os.environ.get("NUMBA_OPT", ""), platform.machine()]
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8",
                                            errors="replace") as f:
        for line in f:
            if line.startswith(("model name", "flags", "Features", "CPU part")):
                cpu.append(line.strip())
            elif not line.strip() and len(cpu) > 4:
                break  # the first processor's lines are enough
    if len(cpu) == 4:
        cpu.append(platform.processor())
    return "\n".join(cpu)


def build_key(module: pytypes.ModuleType) -> str:
    """The key of ``module``'s build (see the module docstring): 16 hex digits.

    Examples
    --------
    >>> import distributions.compiled as c
    >>> len(build_key(c)) == 16 and build_key(c) == build_key(c)
    True
    """
    h = hashlib.sha256()
    names = [module.__name__, *getattr(module, "NATIVE_SOURCES", ()), *_OWN]
    for name in names:
        h.update(name.encode() + b"\0" + _source(name) + b"\0")
    for package, version_file in (("numba", "_version.py"), ("numpy", "version.py")):
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise ImportError(f"{package} is not installed")
        h.update(Path(spec.origin).with_name(version_file).read_bytes())
    h.update(f"{sys.version}\0{sys.platform}\0{_processor()}".encode())
    return h.hexdigest()[:16]


def _folders(module: pytypes.ModuleType) -> list[Path]:
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [Path(str(module.__file__)).parent / "__pycache__", Path(home) / "ftrisk"]


def _stem(module: pytypes.ModuleType) -> str:
    """The start of the names of ``module``'s build files (its own name)."""
    return module.__name__.rpartition(".")[2]


def native_path(module: pytypes.ModuleType, folder: Path | None = None,
                key: str | None = None) -> Path:
    """Where ``module``'s build is (or goes) in ``folder`` (default: next to it); ``key``
    is its :func:`build_key` when already known."""
    folder = _folders(module)[0] if folder is None else folder
    key = build_key(module) if key is None else key
    return folder / f"{_stem(module)}.native-{key}{importlib.machinery.EXTENSION_SUFFIXES[0]}"


def _paths(module: pytypes.ModuleType, key: str) -> list[Path]:
    """Where ``module``'s build with ``key`` may be, in the order looked at."""
    return [native_path(module, folder, key) for folder in _folders(module)]


def _extension_name(module: pytypes.ModuleType) -> str:
    return "_" + module.__name__.replace(".", "_") + "_native"


def _load(module: pytypes.ModuleType, path: Path) -> Any:
    name = _extension_name(module)
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, str(path), loader=loader)
    assert spec is not None
    lib = importlib.util.module_from_spec(spec)
    loader.exec_module(lib)
    return lib


def library(module: pytypes.ModuleType) -> Any:
    """``module``'s build, loaded (None: there is none and none may be built, or
    ``FTRISK_NO_NATIVE`` is set); builds it first, in a process of its own
    (:mod:`distributions.native_child`), when builds are allowed (:func:`allow_builds`).

    A build that cannot be loaded (say a truncated file) is built again; a build that
    fails leaves a note beside where it would go (``<module>.native-<key>.failed``, with
    the reason) and is not tried again for that key: the kernels run just in time."""
    if os.environ.get(ENV_OFF):
        return None
    name = module.__name__
    with _LOCK:
        if name in _state["loaded"]:
            return _state["loaded"][name]
        child = _state["children"].pop(name, None)
        # started beside another module's build: its end first (a failure is noted below)
        failure = child.wait() if child is not None else None
        lib, broken, key = None, [], ""
        try:
            key = build_key(module)
        except (ImportError, OSError):  # a source or version file it cannot read: no key
            _state["failed"].add(name)
        for path in _paths(module, key) if key else []:
            if path.is_file():
                try:
                    lib = _load(module, path)
                    break
                except Exception:  # a truncated or foreign file: built again below
                    broken.append(path)
        if lib is None and key and _state["build"] and not _failed_before(module, key):
            for path in broken:
                with contextlib.suppress(OSError):
                    path.unlink()
            try:
                if failure is not None:
                    raise failure
                lib = _load(module, _build_elsewhere(module, key))
            except Exception as err:  # no C compiler, no Python headers, ...
                _note_failure(module, key, err)
        _state["loaded"][name] = lib
        return lib


def _failure_note(module: pytypes.ModuleType, key: str) -> Path:
    return _folders(module)[0] / f"{_stem(module)}.native-{key}.failed"


def _failed_before(module: pytypes.ModuleType, key: str) -> bool:
    return module.__name__ in _state["failed"] or _failure_note(module, key).is_file()


def _note_failure(module: pytypes.ModuleType, key: str, err: Exception) -> None:
    _state["failed"].add(module.__name__)
    if isinstance(err, BuildError) and err.interrupted:
        return  # stopped, not failed: the next process tries again
    with contextlib.suppress(OSError):
        note = _failure_note(module, key)
        note.parent.mkdir(parents=True, exist_ok=True)
        reason = str(err) if isinstance(err, BuildError) else f"{type(err).__name__}: {err}"
        note.write_text(f"{reason}\n", encoding="utf-8")


@contextlib.contextmanager
def _numba_as_jit(options: dict[int, dict[str, Any]], wide: str = "") -> Iterator[None]:
    """numba's ahead-of-time compiler made to compile as its just-in-time one: each
    function with its own dispatcher's flags (which pycc would set once for all, without
    releasing the GIL), and for this processor's features as well as its model (pycc
    leaves them to the model); plus ``wide``, features to add on a processor with
    512-bit vectors (a kernel module's ``NATIVE_WIDE``)."""
    # numba: only to build (a loaded build needs none)
    import numba.pycc.compiler as pycc_compiler
    from numba.core.codegen import AOTCPUCodegen
    from numba.core.compiler import Flags
    from numba.core.cpu import CPUTargetOptions

    compile_extra = pycc_compiler.compile_extra
    features = AOTCPUCodegen._customize_tm_features

    def own_flags(typingctx: Any, targetctx: Any, func: Any, args: Any, return_type: Any,
                  flags: Any, locals: Any, **kws: Any) -> Any:
        mine = Flags()
        CPUTargetOptions.parse_as_flags(mine, options[id(func)])
        mine.no_compile = flags.no_compile  # type: ignore[misc]  # a flag numba adds
        return compile_extra(typingctx, targetctx, func, args, return_type, mine, locals,
                             **kws)

    setattr(pycc_compiler, "compile_extra", own_flags)  # noqa: B010 (numba has no stubs)
    def host_features(self: Any) -> str:
        found = str(self._get_host_cpu_features())
        return f"{found},{wide}" if wide and "+avx512f" in found.split(",") else found

    setattr(AOTCPUCodegen, "_customize_tm_features", host_features)  # noqa: B010
    try:
        yield
    finally:
        setattr(pycc_compiler, "compile_extra", compile_extra)  # noqa: B010
        setattr(AOTCPUCodegen, "_customize_tm_features", features)  # noqa: B010


class _Child:
    """A build under way in a process of its own (:mod:`distributions.native_child`)."""

    def __init__(self, module: pytypes.ModuleType, key: str) -> None:
        folder = _build_folder(module)
        self.target = native_path(module, folder, key)
        self._failure: BuildError | None = None
        self._log = tempfile.TemporaryFile(  # noqa: SIM115 (closed by wait)
            mode="w+", encoding="utf-8", errors="replace")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(sys.path)  # where this process finds modules
        self._proc = subprocess.Popen(_child_command(module, folder), env=env,
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=self._log)

    def wait(self) -> BuildError | None:
        """Wait for the build: None when it is at :attr:`target`, else why it is not."""
        code = self._proc.wait()
        if code != 0 and self._failure is None:
            self._log.seek(0)
            lines = [line.strip() for line in self._log.read().splitlines() if line.strip()]
            self._failure = BuildError(lines[-1] if lines else f"the build exited with {code}",
                                       interrupted=code < 0 or code == INTERRUPTED)
        self._log.close()
        return self._failure


#: How a build process starts: the packages the kernel module is in, and this one, as bare
#: packages (their ``__init__`` is not run: a build needs only the kernel module and what
#: it imports, and the packages' own imports held ~30 MiB more at the build's peak), then
#: :func:`distributions.native_child.main`. Python's ``-P``: no folder of a script or of
#: the working directory is put first on the module path.
_BOOT = """import json, sys, types
for name, path in json.loads(sys.argv[1]).items():
    if name not in sys.modules:
        package = types.ModuleType(name)
        package.__path__ = [path]
        sys.modules[name] = package
from distributions.native_child import main
sys.exit(main(sys.argv[2:]))
"""


def _child_command(module: pytypes.ModuleType, folder: Path) -> list[str]:
    """The command that builds ``module`` into ``folder`` (see :data:`_BOOT`)."""
    file = Path(str(module.__file__))
    packages = {"distributions": str(Path(__file__).parent)}
    parts = module.__name__.split(".")[:-1]
    for depth in range(len(parts), 0, -1):  # sim.costs -> its folder, sim -> the one above
        packages[".".join(parts[:depth])] = str(file.parents[len(parts) - depth])
    return [sys.executable, "-P", "-c", _BOOT, json.dumps(packages), module.__name__,
            str(file), str(folder)]


def _build_elsewhere(module: pytypes.ModuleType, key: str) -> Path:
    """Build ``module`` in a process of its own, and the modules named to be built with it
    (:func:`allow_builds`) that have no build each in its own; wait for ``module``'s and
    return its path."""
    children = _state["children"]
    mine = _Child(module, key)
    for name in _state["together"]:
        if name == module.__name__ or name in children or name in _state["loaded"]:
            continue
        with contextlib.suppress(ImportError, OSError):
            other = importlib.import_module(name)
            other_key = build_key(other)
            if not _failed_before(other, other_key) and not any(
                    path.is_file() for path in _paths(other, other_key)):
                children[name] = _Child(other, other_key)
    failure = mine.wait()
    if failure is not None:
        raise failure
    return mine.target


def _build_folder(module: pytypes.ModuleType) -> Path:
    """The first of ``module``'s build folders that can be written (made if need be)."""
    for folder in _folders(module):
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
    raise OSError(f"no writable folder for {module.__name__}'s build")


def build(module: pytypes.ModuleType, entries: list[Entry], folder: Path | None = None
          ) -> Path:
    """Compile ``entries`` (export name, numba dispatcher, signature) into
    ``module``'s extension module, in ``folder`` (default: the first writable of its build
    folders); returns its path. Needs numba and a C compiler; other processes building the
    same module wait for this one (a lock file). This process keeps the compiler's memory:
    :func:`library` builds in a process of its own."""
    if folder is None:
        folder = _build_folder(module)
    else:
        folder.mkdir(parents=True, exist_ok=True)
    target = native_path(module, folder)
    stem = _stem(module)
    with _file_lock(folder / f".{stem}.native.lock"):
        if target.is_file():  # another process built it meanwhile
            return target
        for orphan in folder.glob(f".{stem}.build-*"):  # of a build killed midway
            with contextlib.suppress(OSError):
                orphan.unlink()
        _compile(module, entries, target)
    for old in folder.glob(f"{stem}.native-*"):
        if old != target:
            with contextlib.suppress(OSError):
                old.unlink()
    return target


def _compile(module: pytypes.ModuleType, entries: list[Entry], target: Path) -> None:
    # numba: only to build (a loaded build needs none)
    from numba.core import config

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pycc's pending deprecation
        from numba.pycc import CC
    import llvmlite.binding as llvm  # numba's LLVM: this processor's name, to build for it

    cc = _in_order(CC)(_extension_name(module), source_module=module)
    first = set(getattr(module, "NATIVE_FIRST", ()))
    entries = sorted(entries, key=lambda e: (e[1].py_func.__name__ not in first, e[0]))
    cc.output_dir = str(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{_stem(module)}.build-",
                               suffix=target.suffix)
    os.close(fd)
    cc.output_file = os.path.basename(tmp)
    cc.target_cpu = getattr(config, "CPU_NAME", None) or llvm.get_host_cpu_name()
    options = {}
    for name, dispatcher, signature in entries:
        cc.export(name, signature.numba_signature())(dispatcher.py_func)
        options[id(dispatcher.py_func)] = dispatcher.targetoptions
    cc.use_nrt = True  # the allocating kernels; the others are compiled without it
    try:
        with _numba_as_jit(options, getattr(module, "NATIVE_WIDE", "")), \
                open(os.devnull, "w") as quiet, \
                contextlib.redirect_stdout(quiet):
            cc.compile()
        os.chmod(tmp, 0o755)  # readable by all, as Python's own extension modules
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _in_order(cc_class: type) -> type:
    """numba's pycc compiler class, made to compile the exports in the order they were
    exported (it sorts them by name): :func:`_compile` exports a module's ``NATIVE_FIRST``
    kernels first, the largest, compiled while the compiler holds the least. The fused
    model's build (sim.costs.fused, ``simulate`` first) peaked at 385 MiB against 400 MiB
    in its own process, on a fresh checkout (no numba cache of its helpers)."""

    class InOrder(cc_class):
        @property
        def _export_entries(self) -> list[Any]:
            exported = getattr(self, "_exported_functions", None)
            if not isinstance(exported, dict):  # another numba: its own order
                return list(super()._export_entries)
            return list(exported.values())

    return InOrder


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl  # POSIX only
    except ImportError:  # not POSIX: no lock (the rename is still atomic)
        yield
        return
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
