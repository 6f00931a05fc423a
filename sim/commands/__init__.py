"""Subcommands of ``ftrisk``, one module each, discovered by :mod:`sim.cli`.

A command module defines ``NAME``, ``HELP`` (one line for ``ftrisk --help``),
``DESCRIPTION``, ``ORDER`` (position in the help), ``add_arguments(parser)`` and
``run(args) -> int`` (the exit code). Import heavy modules inside ``run`` so that
``ftrisk --help`` stays fast.

Exit codes: :data:`EXIT_OK` done; :data:`EXIT_USAGE` bad input (one line on stderr naming
the file or flag, the key and the fix; nothing written); :data:`EXIT_FAIL` a bug.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

__all__ = ["EXIT_FAIL", "EXIT_OK", "EXIT_USAGE", "error"]


def error(message: str) -> int:
    """Print a one-line error on stderr and return the bad-input exit code (2).

    Examples
    --------
    >>> error("--samples 0: must be >= 1")
    2
    """
    print(f"ftrisk: error: {message}", file=sys.stderr)
    return EXIT_USAGE
