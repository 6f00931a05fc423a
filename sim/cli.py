"""The ``ftrisk`` command line.

Results go to stdout, progress and errors to stderr. Bad input exits 2 with one line
naming the file, the key and the fix; nothing is written. SIGTERM, SIGHUP and SIGINT remove
any temporary output and exit 128 + the signal number. Heavy modules are imported inside
the commands so ``ftrisk --help`` answers at once.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import sim.commands as pkg
from sim.bytecode import keep_bytecode
from sim.commands import EXIT_FAIL, EXIT_USAGE, error
from sim.heap import arrow_on_heap, steady_heap
from sim.interrupts import signals_raise
from sim.process import defer_unused_imports, one_blas_thread, pause_collector, quick_exit


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit 2), not the
    usage block followed by the error."""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE (see PROG --help)`` on one line and exit 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {' '.join(message.split())} "
                              f"(see {self.prog} --help)\n")


class VersionAction(argparse.Action):
    """``--version``: print ``ftrisk VERSION`` and exit, the version read from the installed
    package's metadata only then (argparse's own action wants it as the parser is built:
    importing :mod:`importlib.metadata` and searching every path for the package took
    ~20 ms of each command's start)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> NoReturn:
        from importlib.metadata import version  # deferred: see the class docstring

        print(f"ftrisk {version('ftrisk')}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="ftrisk",
        description="Monte Carlo decision simulator for the economics of fine-tuning LLMs.",
    )
    p.add_argument("--version", action=VersionAction)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in sorted(commands().items(), key=lambda kv: kv[1].ORDER):
        cmd = sub.add_parser(name, help=module.HELP, description=module.DESCRIPTION)
        module.add_arguments(cmd)
    return p


def commands() -> dict[str, Any]:
    """Every command module in :mod:`sim.commands` (each defines NAME, HELP, DESCRIPTION,
    ORDER, ``add_arguments(parser)`` and ``run(args) -> exit code``)."""
    out = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"sim.commands.{info.name}")
            out[module.NAME] = module
    return out


#: Arguments that name a path of the user's: an empty one would silently mean the default
#: (or the working folder), so it is refused.
PATH_ARGS = ("study", "file", "log", "out", "html", "csv", "into", "actuals")


def _empty_path(args: argparse.Namespace) -> str | None:
    """What is wrong with the first path argument given as an empty string, or None.

    Examples
    --------
    >>> _empty_path(argparse.Namespace(study="s.toml", out=""))
    '--out: an empty path; give a file or folder name, or leave the flag out for the default'
    """
    for name in PATH_ARGS:
        if getattr(args, name, None) == "":
            if name in ("study", "file", "log"):
                return f"the {name} path is empty; give the path of the {name} file"
            return (f"--{name}: an empty path; give a file or folder name, or leave the flag "
                    "out for the default")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ftrisk`` command on ``argv`` (the process's arguments when None).

    Exit codes: 0 done; 2 bad input (a study file, a flag, an output path); 1 a bug;
    128 + N when stopped by signal N (SIGINT 130, SIGTERM 143, SIGHUP 129), after removing
    any temporary output. Run as the command (``argv`` None), it has OpenBLAS use one
    thread (:func:`sim.process.one_blas_thread`), pauses the cyclic garbage collector for the
    commands that leave no cycles worth collecting (:func:`sim.process.pause_collector`),
    defers imports no run uses (:func:`sim.process.defer_unused_imports`), builds the
    compiled kernels ahead of time the first time it runs them (:mod:`distributions.native`),
    and afterwards keeps the bytecode of ftrisk's modules when Python was told not to write
    it (:mod:`sim.bytecode`).
    """
    if argv is None:
        pause_collector()  # while the command modules load: the command's own choice below
    args = _parser().parse_args(argv)
    # this process runs one command: the C heap's thresholds stay fixed, and pyarrow's
    # buffers come from that heap (before a command imports pyarrow)
    steady_heap()
    arrow_on_heap()
    if argv is None:
        pause_collector(args.command, scheduler=getattr(args, "scheduler", None))
        one_blas_thread()  # before a command imports numpy
        defer_unused_imports()  # before a command imports scipy.special and altair
        _allow_native_builds()
    code = _main(args)
    if argv is None and code < 128:  # the ftrisk command itself, not stopped by a signal
        keep_bytecode()
    return code


#: The modules of kernels built ahead of time (``native`` signatures): the first run that
#: needs one builds all of them side by side (tests/test_native.py checks the list).
KERNEL_MODULES = ("distributions.compiled", "distributions.pcg", "sim.costs.fused")


def _allow_native_builds() -> None:
    """The command builds each kernel module ahead of time the first time it runs one (as
    long as numba just in time would take to compile it), so that later runs load it
    without numba (:mod:`distributions.native`); the first build needed starts the
    others' beside it."""
    # deferred: distributions loads numpy, which ftrisk --help must not
    from distributions.native import allow_builds

    allow_builds(together=KERNEL_MODULES)


def _main(args: argparse.Namespace) -> int:
    empty = _empty_path(args)
    if empty:
        return error(empty)
    # after --help: sim.study loads numpy and scipy
    from sim.study.errors import OutputError, StudyError

    try:
        with signals_raise():
            return int(commands()[args.command].run(args))
    except StudyError as err:  # bad input found after loading, e.g. results that overflow
        return error(str(err))
    except KeyboardInterrupt as err:
        print("ftrisk: interrupted; no output written", file=sys.stderr)
        return int(getattr(err, "exit_code", 130))
    except OutputError as err:  # an output path refused while writing (no space, permissions)
        return error(str(err))
    except BrokenPipeError:  # e.g. `ftrisk prices | head`: the reader left; stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAIL
    except Exception as err:
        if os.environ.get("FTRISK_DEBUG"):
            raise
        print(f"ftrisk: internal error: {type(err).__name__}: {err} (set FTRISK_DEBUG=1 for "
              "the traceback; please report it)", file=sys.stderr)
        return EXIT_FAIL


def command() -> int:
    """The ``ftrisk`` console script: :func:`main` on the process's arguments, after which
    the process ends without emptying its modules (:func:`sim.process.quick_exit`)."""
    return quick_exit(main())


if __name__ == "__main__":
    sys.exit(command())
