"""ftrisk's own modules compiled to bytecode once, so that a start does not compile them again.

Python keeps a module's compiled bytecode (``__pycache__/*.pyc``) the first time it imports
it, unless told not to write it (``PYTHONDONTWRITEBYTECODE``, ``python -B``), as some
machines and container images are. Every start then compiles each of ftrisk's ~160 modules
from source again: about 0.3 s of the 3 s a small ``ftrisk run`` takes. Python still
*reads* bytecode that is there, so after a command :func:`keep_bytecode` writes what is
missing or stale for ftrisk's own packages (``pip install`` does the same for a regular
install; an editable one compiles nothing). It goes in the ``__pycache__`` folders next to
the sources, where numba keeps ftrisk's compiled kernels; ``FTRISK_NO_BYTECODE=1`` turns
it off. Nothing happens when Python writes bytecode itself, or when the folders cannot be
written (checked before anything is compiled).

The same holds for the methods :mod:`dataclasses` writes for each class (``__init__``,
``__repr__``, ``__eq__``, ``__hash__`` and, frozen, ``__setattr__`` and ``__delattr__``): it
builds their source and compiles it with ``exec`` every time a class is defined, which
.pyc files do not keep. A run defines ~120 dataclasses (~100 of them ftrisk's, all frozen):
0.17 s of its start in a busy hour, three quarters of it compiling; 38 ms with the code
kept (plus 4 ms to read the file). The command therefore has :mod:`dataclasses` compile
through :class:`DataclassCode` (:func:`keep_dataclass_code`), which keeps each compiled
source in the cache folder (``dataclasses/<python>-<magic>.marshal``, per bytecode
format) and runs the kept code the next time: ``exec(compile(source, "<string>", "exec",
dont_inherit=True))`` is what ``exec(source)`` does, so the classes are the same. It
shadows ``exec`` in the :mod:`dataclasses` module only (that module's global name, which
its functions look up before the builtin), for the command's own process; a program that
imports ftrisk is left as it is. ``FTRISK_NO_BYTECODE=1`` turns this off too.
"""

from __future__ import annotations

import builtins
import compileall
import contextlib
import dataclasses
import marshal
import os
import sys
import tempfile
import types
from collections.abc import Iterable
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from typing import Any

__all__ = ["MAX_ENTRIES", "PACKAGES", "DataclassCode", "compile_folders",
           "dataclass_code_path", "keep_bytecode", "keep_dataclass_code"]

#: ftrisk's packages whose bytecode is kept.
PACKAGES = ("sim", "distributions")


def compile_folders(folders: Iterable[str | Path]) -> bool:
    """Write the bytecode of every module under ``folders`` whose ``.pyc`` is missing or
    older than its source (the others are left: a few milliseconds for ftrisk's); True
    when all of it is there.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "m.py").write_text("x = 1\\n")
    >>> compile_folders([folder]), [p.name for p in (folder / "__pycache__").iterdir()]
    ... # doctest: +ELLIPSIS
    (True, ['m.cpython-...pyc'])
    """
    done = True
    for folder in folders:
        if not _writable(Path(folder)):
            done = False  # an install the user cannot write: nothing compiled in vain
            continue
        try:
            done &= bool(compileall.compile_dir(folder, quiet=2, workers=1))
        except OSError:  # a folder that went away or cannot be listed
            done = False
    return done


def _writable(folder: Path) -> bool:
    """Whether bytecode can be written under ``folder``: its ``__pycache__`` (or the folder,
    when there is none yet) is writable. Checked first, since compiling every module only
    to fail at the write would cost each start what the bytecode saves."""
    cache = folder / "__pycache__"
    return os.access(cache if cache.is_dir() else folder, os.W_OK)


def keep_bytecode() -> bool:
    """After a command: save the dataclasses' newly compiled methods
    (:func:`keep_dataclass_code`), and write the bytecode of ftrisk's packages when Python
    was told not to (see the module docstring); True if it did (or found it all there)."""
    if _INSTALLED is not None:
        _INSTALLED.save()
    if not sys.flags.dont_write_bytecode or os.environ.get("FTRISK_NO_BYTECODE"):
        return False
    files = [getattr(sys.modules.get(name), "__file__", None) for name in PACKAGES]
    return compile_folders(Path(f).parent for f in files if f)


#: Most compiled sources the dataclass file keeps (~1 KB each); past it, only those the
#: last command used.
MAX_ENTRIES = 4096


def dataclass_code_path() -> Path:
    """The file of the dataclasses' compiled methods, one per bytecode format (Python's
    version and its magic number).

    Examples
    --------
    >>> dataclass_code_path().parent.name
    'dataclasses'
    """
    return _cache_root() / "dataclasses" / (
        f"{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}.marshal")


def _cache_root() -> Path:
    """ftrisk's cache folder, as :func:`distributions.cache.cache_dir` names it (a test
    holds them equal): importing that module runs the distributions package, numpy and
    the classes this module is to compile included."""
    explicit = os.environ.get("FTRISK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "ftrisk")


class DataclassCode:
    """``exec`` for :mod:`dataclasses` that compiles each source once per machine: a source
    compiled before runs its code from ``path`` (marshalled, as in a .pyc file); a new one
    is compiled as ``exec`` would (``dont_inherit``: no ``from __future__`` flags of this
    module) and written by :meth:`save`. Anything but a string goes to ``exec`` as it is.

    A file that cannot be read or is not this format counts as empty; a kept code that does
    not load is compiled again. The file is the user's own cache, as trusted as the
    ``__pycache__`` folders.

    Examples
    --------
    >>> import tempfile
    >>> code = DataclassCode(Path(tempfile.mkdtemp()) / "code.marshal")
    >>> ns = {}
    >>> code.exec("def f(x): return x + 1", {}, ns)
    >>> ns["f"](1), code.compiled
    (2, 1)
    >>> code.save()
    True
    >>> again = DataclassCode(code.path)  # the next process: the code kept, not compiled
    >>> again.exec("def f(x): return x + 1", {}, ns)
    >>> ns["f"](2), again.compiled
    (3, 0)
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._codes: dict[str, bytes] | None = None
        #: sources this process ran, and those of them it compiled (not found kept)
        self.used: set[str] = set()
        self.compiled = 0
        self._unsaved = False

    @property
    def codes(self) -> dict[str, bytes]:
        """Each source kept to its marshalled code (the file is read at the first use)."""
        if self._codes is None:
            self._codes = _read(self.path)
        return self._codes

    def exec(self, source: Any, globals: dict[str, Any] | None = None,
             locals: Any = None, /) -> None:
        """``exec(source, globals, locals)``, a string source compiled once per machine."""
        if globals is None:  # exec's own default: the caller's namespaces, not this one's
            frame = sys._getframe(1)
            globals, locals = frame.f_globals, frame.f_locals if locals is None else locals
        if type(source) is str:
            source = self._code(source)
        builtins.exec(source, globals, locals)

    def _code(self, source: str) -> Any:
        self.used.add(source)
        blob = self.codes.get(source)
        if blob is not None:
            try:
                code = marshal.loads(blob)
            except (ValueError, EOFError, TypeError):
                code = None
            if type(code) is types.CodeType:
                return code
        code = compile(source, "<string>", "exec", dont_inherit=True)
        self.codes[source] = marshal.dumps(code)
        self.compiled += 1
        self._unsaved = True
        return code

    def save(self) -> bool:
        """Write the file when this process compiled sources it did not hold (at most
        :data:`MAX_ENTRIES` sources: past it, those this process used); True if written.
        A folder that cannot be written is left: the sources are compiled next time."""
        if not self._unsaved:
            return False
        codes = self.codes
        if len(codes) > MAX_ENTRIES:
            codes = {k: v for k, v in codes.items() if k in self.used}
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
            with os.fdopen(fd, "wb") as f:
                marshal.dump(codes, f)
            os.replace(tmp, self.path)
        except OSError:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            return False
        self._unsaved = False
        return True


def _read(path: Path) -> dict[str, bytes]:
    try:
        with open(path, "rb") as f:
            codes = marshal.load(f)
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if type(codes) is not dict:
        return {}
    return {k: v for k, v in codes.items() if type(k) is str and type(v) is bytes}


#: The process's DataclassCode once :func:`keep_dataclass_code` installed it.
_INSTALLED: DataclassCode | None = None


def keep_dataclass_code(path: Path | None = None) -> DataclassCode | None:
    """Have :mod:`dataclasses` compile its methods through a :class:`DataclassCode` kept at
    ``path`` (default :func:`dataclass_code_path`) from now on, for this process; return it,
    or None when ``FTRISK_NO_BYTECODE`` is set. Once per process (later calls return the
    first); :func:`keep_bytecode` saves it after the command.

    Examples
    --------
    >>> import subprocess, sys, tempfile
    >>> code = ("import dataclasses, sim.bytecode as b, pathlib, sys; "
    ...         "c = b.keep_dataclass_code(pathlib.Path(sys.argv[1])); "
    ...         "dataclasses.make_dataclass('P', ['x'], frozen=True); "
    ...         "print(c.compiled > 0, c.save())")
    >>> where = tempfile.mkdtemp() + "/code.marshal"
    >>> subprocess.run([sys.executable, "-c", code, where], capture_output=True,
    ...                text=True).stdout.split()
    ['True', 'True']
    """
    global _INSTALLED
    if os.environ.get("FTRISK_NO_BYTECODE"):
        return None
    if _INSTALLED is None:
        _INSTALLED = DataclassCode(dataclass_code_path() if path is None else path)
        dataclasses.exec = _INSTALLED.exec  # type: ignore[attr-defined]
    return _INSTALLED
