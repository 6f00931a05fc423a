"""The ``ftrisk`` command line.

Results go to stdout, progress and errors to stderr. Bad input exits 2 with one line
naming the file, the key and the fix; nothing is written. Heavy modules are imported inside
the commands so ``ftrisk --help`` answers at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit 2), not the
    usage block followed by the error."""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE (see PROG --help)`` on one line and exit 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {' '.join(message.split())} "
                              f"(see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="ftrisk",
        description="Monte Carlo decision simulator for the economics of fine-tuning LLMs.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in sorted(commands().items(), key=lambda kv: kv[1].ORDER):
        cmd = sub.add_parser(name, help=module.HELP, description=module.DESCRIPTION)
        module.add_arguments(cmd)
    return p


def commands() -> dict[str, Any]:
    """Every command module in :mod:`sim.commands` (each defines NAME, HELP, DESCRIPTION,
    ORDER, ``add_arguments(parser)`` and ``run(args) -> exit code``)."""
    import importlib
    import pkgutil

    import sim.commands as pkg

    out = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"sim.commands.{info.name}")
            out[module.NAME] = module
    return out


def one_line(text: str) -> str:
    """``text`` on one line: line breaks and other control characters (which a study's keys
    or values may hold) escaped.

    Examples
    --------
    >>> one_line("key 'a\\nb': unknown")
    "key 'a\\\\nb': unknown"
    """
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def error(message: str) -> int:
    """Print a one-line error on stderr and return the bad-input exit code (2)."""
    print(f"ftrisk: error: {one_line(message)}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ftrisk`` console script."""
    from sim.errors import StudyError

    args = _parser().parse_args(argv)
    try:
        return int(commands()[args.command].run(args))
    except StudyError as err:  # bad input found after loading, e.g. results that overflow
        return error(str(err))
    except KeyboardInterrupt:
        print("ftrisk: interrupted; no output written", file=sys.stderr)
        return 130
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


if __name__ == "__main__":
    sys.exit(main())
