"""SIGTERM, SIGHUP and SIGINT as an exception, so a run removes its temporary files on the way out.

Python turns only SIGINT into an exception (``KeyboardInterrupt``); SIGTERM (``kill``, a job
scheduler's time limit) and SIGHUP (a closed terminal) end the process at once and leave a
half-written temporary folder behind. Inside :func:`signals_raise` all three raise
:class:`Interrupted`, whose clean-up code (``except BaseException`` / ``finally``) then runs.
Only the first signal raises: later ones, arriving while that clean-up runs, are noted and
ignored, so the clean-up itself is not cut short. :func:`shielded` holds signals back over a
few lines that must not be split (renaming the old output aside and the new one in).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

#: The signals that stop a run cleanly (SIGHUP does not exist on Windows).
SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, n))


class Interrupted(KeyboardInterrupt):
    """A run was stopped by a signal; ``exit_code`` is the shell's 128 + signal number.

    Examples
    --------
    >>> import signal
    >>> Interrupted(signal.SIGTERM).exit_code
    143
    >>> str(Interrupted(signal.SIGINT))
    'SIGINT'
    """

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        self.exit_code = 128 + self.signum
        super().__init__(signal.Signals(signum).name)


class _State:
    active = False  # our handler is installed
    raised = False  # an Interrupted has been raised already
    shield = 0  # depth of shielded() blocks
    pending: int | None = None  # a signal held back by shielded()


_state = _State()


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state.raised:
        return
    if _state.shield:
        _state.pending = _state.pending or signum
        return
    _state.raised = True
    raise Interrupted(signum)


@contextmanager
def signals_raise() -> Iterator[None]:
    """Within the block, SIGTERM, SIGHUP and SIGINT raise :class:`Interrupted` (once).

    Signals the process was started with ignored (``nohup``, a background job) stay ignored.
    Outside the main thread (where Python cannot install handlers) this does nothing.

    Examples
    --------
    >>> import os, signal
    >>> try:
    ...     with signals_raise():
    ...         os.kill(os.getpid(), signal.SIGTERM)
    ... except Interrupted as err:
    ...     print(err.exit_code)
    143
    """
    if threading.current_thread() is not threading.main_thread() or _state.active:
        yield
        return
    previous = {}
    for s in SIGNALS:
        old = signal.getsignal(s)
        if old is not signal.SIG_IGN:
            previous[s] = old
            signal.signal(s, _handler)
    _state.active, _state.raised, _state.shield, _state.pending = True, False, 0, None
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
        _state.active = False


@contextmanager
def shielded() -> Iterator[None]:
    """Hold the signals of :func:`signals_raise` back until the block ends, then raise.

    Examples
    --------
    >>> import os, signal
    >>> done = []
    >>> try:
    ...     with signals_raise(), shielded():
    ...         os.kill(os.getpid(), signal.SIGTERM)
    ...         done.append("the block ran to its end")
    ... except Interrupted:
    ...     pass
    >>> done
    ['the block ran to its end']
    """
    _state.shield += 1
    try:
        yield
    finally:
        _state.shield -= 1
        signum = _state.pending
        if not _state.shield and signum is not None and not _state.raised:
            _state.pending = None
            _state.raised = True
            raise Interrupted(signum)
