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
"""

from __future__ import annotations

import compileall
import os
import sys
from collections.abc import Iterable
from pathlib import Path

__all__ = ["PACKAGES", "compile_folders", "keep_bytecode"]

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
    """After a command: write the bytecode of ftrisk's packages when Python was told not to
    (see the module docstring); True if it did (or found it all there)."""
    if not sys.flags.dont_write_bytecode or os.environ.get("FTRISK_NO_BYTECODE"):
        return False
    files = [getattr(sys.modules.get(name), "__file__", None) for name in PACKAGES]
    return compile_folders(Path(f).parent for f in files if f)
