"""What the ``ftrisk`` command does at its start and at its end to save its user time.

At the start, :func:`defer_unused_imports`: scipy.special, which every run needs, imports
scipy's array-API layer, which reads every attribute numpy lists, and so imports
``numpy.f2py``, numpy's Fortran wrapper generator, with the text-encoding detector it
uses: ~0.1 s of each start for a module no run calls. The command registers it as a lazy
module (:class:`importlib.util.LazyLoader`, the standard library's recipe), which loads in
full at its first attribute access, so anything that does use it finds it whole.

At the end, :func:`quick_exit`: after a command has written its output, Python's own exit
would empty every module and free every object one by one (the report's altair schema,
polars, scipy): 0.2-0.3 s after a 10^6-sample ``ftrisk run``. The command flushes its
output, runs the functions registered with :mod:`atexit` as Python's exit would, and ends
the process at once. It waits for Python's exit when a thread that Python would wait for is
still running.

Only the command does either: a program that imports ftrisk keeps its own imports and exit.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import sys
import threading

__all__ = ["DEFERRED", "defer_unused_imports", "quick_exit"]

#: Modules that ftrisk's imports load but no run uses, registered as lazy ones.
DEFERRED = ("numpy.f2py",)


def defer_unused_imports(names: tuple[str, ...] = DEFERRED) -> list[str]:
    """Register each module in ``names`` that is not imported yet as a lazy module, which
    loads at its first attribute access; return the names registered.

    A name whose module cannot be found is skipped (it would fail at its import anyway).

    Examples
    --------
    >>> import sys
    >>> fresh = "xml.dom.minicompat" not in sys.modules
    >>> defer_unused_imports(("xml.dom.minicompat",)) == (["xml.dom.minicompat"] if fresh else [])
    True
    >>> sys.modules["xml.dom.minicompat"].NodeList.__name__  # loaded at this access
    'NodeList'
    """
    done = []
    for name in names:
        if name in sys.modules:
            continue
        parent, _, child = name.rpartition(".")
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or spec.loader is None:
            continue
        loader = importlib.util.LazyLoader(spec.loader)
        spec.loader = loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loader.exec_module(module)
        if parent:  # as an import would: the parent's attribute (numpy.f2py)
            setattr(sys.modules[parent], child, module)
        done.append(name)
    return done


def quick_exit(code: int) -> int:
    """End the process with exit status ``code`` without emptying its modules: flush
    stdout and stderr, run the :mod:`atexit` functions, then :func:`os._exit`.

    Returns ``code`` (for the caller's ``sys.exit``) instead when Python's own exit must
    run: a non-daemon thread is still running (Python waits for it), or the output cannot
    be flushed (a reader that left: Python's exit reports it).

    Examples
    --------
    >>> import subprocess, sys
    >>> code = "import sim.process as p; print('done', end=''); p.quick_exit(3)"
    >>> out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    >>> out.returncode, out.stdout
    (3, 'done')
    """
    main = threading.main_thread()
    if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return code
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return code
    atexit._run_exitfuncs()
    try:  # what an atexit function printed
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)
