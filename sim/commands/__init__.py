"""Subcommands of ``ftrisk``, one module each, discovered automatically by :mod:`sim.cli`.

A command module defines ``NAME``, ``HELP`` (one line for ``ftrisk --help``),
``DESCRIPTION``, ``ORDER`` (position in the help), ``add_arguments(parser)`` and
``run(args) -> int`` (the exit code: 0 done, 2 bad input). Import heavy modules inside
``run`` so that ``ftrisk --help`` stays fast.
"""
