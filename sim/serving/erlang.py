"""Erlang C: the M/M/c queue in closed form, the serving model's analytic reference."""

from __future__ import annotations

import math


def erlang_c(lam: float, mu: float, c: int) -> tuple[float, float]:
    """Probability of waiting and mean wait in an M/M/c queue.

    Poisson arrivals at rate ``lam``, ``c`` servers each serving exponential times at rate
    ``mu``, one FIFO queue. With offered load ``a = lam / mu`` and ``rho = a / c < 1``::

        P(wait) = (a^c / c!) / (1 - rho) / (sum_{k<c} a^k / k! + (a^c / c!) / (1 - rho))
        Wq = P(wait) / (c * mu - lam)

    (Kleinrock, *Queueing Systems* vol. 1, 1975, §3.5; computed with the Erlang B recursion
    ``B(k) = a B(k-1) / (k + a B(k-1))``, ``C = B / (1 - rho (1 - B))``, which is stable for
    large ``c``).

    Parameters
    ----------
    lam : float
        Arrival rate (> 0).
    mu : float
        Service rate of one server (> 0).
    c : int
        Number of servers (>= 1).

    Returns
    -------
    (float, float)
        P(wait > 0) and the mean wait in queue Wq (in the time unit of the rates).

    Raises
    ------
    ValueError
        For non-positive rates, ``c < 1``, or an unstable queue (``lam >= c * mu``).

    Examples
    --------
    >>> p, wq = erlang_c(8.0, 1.0, 10)
    >>> round(p, 4), round(wq, 4)
    (0.4092, 0.2046)
    """
    if not (lam > 0 and mu > 0) or c < 1 or int(c) != c:
        raise ValueError(f"erlang_c: need lam > 0, mu > 0 and a whole c >= 1; got lam={lam}, "
                         f"mu={mu}, c={c}")
    a = lam / mu
    rho = a / c
    if rho >= 1.0:
        raise ValueError(f"erlang_c: lam={lam} >= c*mu={c * mu}: the queue grows without bound")
    b = 1.0
    for k in range(1, int(c) + 1):
        b = a * b / (k + a * b)
    p_wait = b / (1.0 - rho * (1.0 - b))
    if not math.isfinite(p_wait):  # pragma: no cover - the recursion stays in [0, 1]
        raise ValueError("erlang_c: numerical failure")
    return p_wait, p_wait / (c * mu - lam)
