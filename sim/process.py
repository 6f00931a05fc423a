"""What the ``ftrisk`` command does at its start and at its end to save its user time.

At the start, :func:`defer_unused_imports`: scipy.special, which many runs need (a
pilot's value, a truncated normal, the first read of a beta or PERT input), imports
scipy's array-API layer, which reads every attribute numpy lists, and so imports
``numpy.f2py`` (numpy's Fortran wrapper generator, with the text-encoding detector it
uses) and ``numpy.testing``; altair imports its example data sets, with a
parser of package metadata. That was ~0.2 s of each start for modules no command calls.
The command has them imported lazily (:class:`importlib.util.LazyLoader`, the standard
library's recipe): each loads in full at the first access to one of its attributes, so
anything that does use it finds it whole.

Also at the start, :func:`one_blas_thread`: OpenBLAS (numpy's and scipy's each load one)
starts a thread per core, which spins after each product waiting for the next. ftrisk's
products are small (a copula's correlation, a regression's normal equations), and on a
machine whose cores the run's own threads keep busy, those spinning threads took ~0.3 s of
processor time from a 10^6-sample run. The command has OpenBLAS use one thread unless the
user chose a number. A product is computed the same way on one thread (OpenBLAS splits the
output between threads, not the sums), so the figures do not change, and they no longer
depend on the machine's number of cores in any case.

At the end, :func:`quick_exit`: after a command has written its output, Python's own exit
would empty every module and free every object one by one (the report's altair schema,
polars, scipy): 0.2-0.3 s after a 10^6-sample ``ftrisk run``. The command flushes its
output, runs the functions registered with :mod:`atexit` as Python's exit would, and ends
the process at once. It waits for Python's exit when a thread that Python would wait for is
still running.

Also at the start, :func:`pause_collector`: Python's cyclic garbage collector walks
the objects that are new since its last pass every 700 allocations of containers, and
every object now and then. Imports are nearly all such allocations (each module's
functions, classes and dicts), so a 10^4-sample ``ftrisk run`` spent ~0.13 s of its
~1.2 s in the collector, all of it while importing (numpy, polars, scipy, altair), to free
~3,300 objects of cyclic garbage in all, at 10^4 samples as at 10^6 (nothing per chunk).
The commands in :data:`COLLECTOR_PAUSED` run with the collector off: the same peak memory
(within 1-5 MiB), 0.1-0.15 s sooner. The others keep it: ``serve`` (simpy's events) and
``portfolio`` leave cycles that hold arrays (their peaks were 40-50 MiB higher without
it), ``app`` is a server, and a run on a Dask scheduler has the client's event loop.

Only the command does any of this: a program that imports ftrisk keeps its own imports,
threads, garbage collector and exit.
"""

from __future__ import annotations

import atexit
import gc
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import threading
import types
from collections.abc import Iterable, MutableMapping, Sequence

__all__ = ["BLAS_THREADS", "COLLECTOR_PAUSED", "DEFERRED", "LazyFinder", "defer_unused_imports",
           "one_blas_thread", "pause_collector", "quick_exit"]

#: Modules that ftrisk's imports load but no command uses, imported lazily by the command.
DEFERRED = (
    "numpy.f2py",  # Fortran wrappers: scipy's array-API layer reads every numpy attribute
    "numpy.testing",  # numpy's test tools: the same
    "altair.datasets",  # example data sets (and the package-metadata parser they use)
)


class LazyFinder(importlib.abc.MetaPathFinder):
    """Finds the modules named in ``names`` as Python's own path finder does, and has them
    loaded lazily (:class:`importlib.util.LazyLoader`): an import gives the module at once,
    and its code runs at the first access to one of its attributes.

    Examples
    --------
    >>> finder = LazyFinder(["xml.dom.minicompat"])
    >>> finder.find_spec("json", None) is None  # a module not named: found as usual
    True
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        """A lazily loading spec for a module named in :attr:`names`, else None."""
        if fullname not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None  # not found, or not plain Python: Python's own finders take it
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def defer_unused_imports(names: Iterable[str] = DEFERRED) -> LazyFinder | None:
    """Have the modules in ``names`` imported lazily from now on (a :class:`LazyFinder`
    first among Python's finders); return it, or None when already done.

    A module imported already stays as it is.

    Examples
    --------
    >>> import subprocess, sys
    >>> code = ("import sys; from sim.process import defer_unused_imports; "
    ...         "defer_unused_imports(['xml.dom.minicompat']); import xml.dom.minicompat as m; "
    ...         "print(type(m).__name__, m.NodeList.__name__)")
    >>> subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split()
    ['_LazyModule', 'NodeList']
    """
    if any(isinstance(f, LazyFinder) for f in sys.meta_path):
        return None
    finder = LazyFinder(names)
    sys.meta_path.insert(0, finder)
    return finder


#: The variables OpenBLAS reads its number of threads from, in its order.
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def one_blas_thread(environ: MutableMapping[str, str] | None = None) -> bool:
    """Have OpenBLAS use one thread in this process unless one of :data:`BLAS_THREADS`
    is set; True when set. OpenBLAS reads it as it loads: call it before numpy is
    imported (the ``ftrisk`` command does, first thing).

    Examples
    --------
    >>> env = {}
    >>> one_blas_thread(env), env
    (True, {'OPENBLAS_NUM_THREADS': '1'})
    >>> env = {"OMP_NUM_THREADS": "4"}
    >>> one_blas_thread(env), env
    (False, {'OMP_NUM_THREADS': '4'})
    """
    environ = os.environ if environ is None else environ
    if any(name in environ for name in BLAS_THREADS):
        return False
    if environ is os.environ and "numpy" in sys.modules:
        return False  # too late: OpenBLAS started its threads as numpy loaded
    environ["OPENBLAS_NUM_THREADS"] = "1"
    return True


#: The commands that run with the cyclic garbage collector paused (:func:`pause_collector`):
#: each made the same peak memory without it, measured on the bundled studies.
COLLECTOR_PAUSED = frozenset({"run", "describe", "tornado", "stress", "sweep", "goal-seek",
                              "pilot"})


def pause_collector(command: str | None = None, *, scheduler: str | None = None) -> bool:
    """Pause Python's cyclic garbage collector for the rest of the process when
    ``command`` is one of :data:`COLLECTOR_PAUSED` and it runs on no Dask ``scheduler``
    (None, before the command is known: paused until it is); else have it collect. True
    when paused. Reference counting still frees every object that is not in a cycle.

    Examples
    --------
    >>> import gc
    >>> pause_collector("run"), gc.isenabled()
    (True, False)
    >>> pause_collector("serve"), gc.isenabled()
    (False, True)
    """
    if command is None or (command in COLLECTOR_PAUSED and not scheduler):
        gc.disable()
        return True
    gc.enable()
    return False


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
    try:  # (a stream may also be closed, or None without a console)
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        return code
    atexit._run_exitfuncs()
    try:  # what an atexit function printed
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    os._exit(code)
