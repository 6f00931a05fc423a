"""The process that builds one kernel module ahead of time (:mod:`distributions.native`
starts it, one per module, through a few lines that enter the module's packages bare:
``distributions.native._BOOT``). By hand::

    python -m distributions.native_child MODULE FILE FOLDER

builds the kernel module ``MODULE`` (imported by name, or from ``FILE`` when that name
finds another file or none) into ``FOLDER``. On failure it writes the reason as its last
line on standard error and exits with 1; stopped by Ctrl-C, with 130.

A build in a process of its own gives its compiler's memory back to the system when it
ends, and builds of several modules run on as many cores.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types as pytypes
from pathlib import Path

from distributions.native import INTERRUPTED


def load_module(name: str, file: str) -> pytypes.ModuleType:
    """The module ``name``: imported, or executed from ``file`` under that name when the
    import would find another file (or none).

    Examples
    --------
    >>> import distributions.pcg as pcg
    >>> load_module("distributions.pcg", pcg.__file__) is pcg
    True
    """
    try:
        spec = importlib.util.find_spec(name)
    except ImportError:
        spec = None
    if spec is not None and spec.origin is not None and Path(spec.origin) == Path(file):
        return importlib.import_module(name)
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {name} from {file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    """Build one module (see the module's docstring); the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print("usage: python -m distributions.native_child MODULE FILE FOLDER", file=sys.stderr)
        return 2
    name, file, folder = args
    try:
        # imported here: the kernel module imports these first
        from distributions import jit, native

        module = load_module(name, file)
        native.build(module, jit.build_entries(module), Path(folder))
    except KeyboardInterrupt:  # stopped with the command: not a failure
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as err:  # the reason, for the note the caller leaves
        print(f"{type(err).__name__}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
