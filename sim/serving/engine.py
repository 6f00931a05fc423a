"""The discrete-event serving model, on simpy's event scheduler.

What is modelled, per request: arrival (a given time), a wait in one central FIFO queue
until some replica has a free batch slot (the router sends it to the replica holding the
fewest sequences), the prefill of its prompt on that replica, then the decode of its output
tokens alongside the other sequences in the replica's batch, and its completion.

Continuous batching at the request level. A replica holds up to ``B`` sequences. Prompts
are prefilled one at a time, first come first served, at the prefill speed, and decoding
pauses while a prefill runs (vLLM's default prefill-first scheduling). Otherwise the ``m``
sequences in the batch decode together: every step takes ``t(m) = t1 * (k + m)`` and gives
each sequence one token (times the speculative-decoding multiplier). Because all sequences
decode at the same rate, a replica is an egalitarian processor-sharing server: it keeps one
"virtual token clock" ``V`` (tokens a sequence has gained since the clock started) and a
heap of finish tags ``V_join + output_tokens``; the next completion is the smallest tag, due
after ``(tag - V) / rate(m)`` seconds. Events occur only at arrivals, prefill ends,
completions and replica start/stop, never per token, so a day of 10^6 requests takes
seconds. A decode timer is invalidated (by a generation counter) when the batch changes.

What is abstracted away: individual decode steps (token timing is fluid), chunked prefill
(prefill and decode sharing a step), the KV-cache size (it is what ``B`` stands for; no
preemption or swapping), prompt caching, per-replica queues, network time and tokenizer
overhead, and failures. The first token is taken to arrive one decode step after the
prompt's prefill ends, at the batch size of that moment.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.serving.hardware import ServiceRates

if TYPE_CHECKING:
    import simpy

STARTING, ACTIVE, DRAINING, STOPPED = range(4)
_TOL = 1e-6  # tokens: finish tags within this of the clock count as reached


class Replica:
    """One replica: a prefill FIFO and a processor-sharing decode batch."""

    __slots__ = ("env", "gen", "heap", "idle_epoch", "m", "n", "pool", "pq", "prefilling",
                 "state", "t_u", "v")

    def __init__(self, pool: Pool, state: int) -> None:
        self.pool = pool
        self.env = pool.env
        self.state = state
        self.n = 0  # sequences held (prefilling + decoding)
        self.m = 0  # sequences decoding
        self.v = 0.0  # virtual token clock
        self.t_u = 0.0  # when v was last brought up to date
        self.heap: list[tuple[float, int]] = []
        self.pq: deque[int] = deque()
        self.prefilling = False
        self.gen = 0
        self.idle_epoch = 0

    def _advance(self, now: float) -> None:
        if not self.prefilling and self.m:
            self.v += self.pool.rate[self.m] * (now - self.t_u)
        self.t_u = now

    def admit(self, i: int, now: float) -> None:
        """Take request ``i`` into the batch: its prompt joins the prefill FIFO."""
        self.n += 1
        self.idle_epoch += 1
        self.pq.append(i)
        if not self.prefilling:
            self._advance(now)
            self._start_prefill()

    def _start_prefill(self) -> None:
        self.prefilling = True
        self.gen += 1  # pauses decoding: the pending decode timer is stale
        pool = self.pool
        ev = self.env.timeout(pool.tin[self.pq[0]] / pool.prefill_speed)
        ev.callbacks.append(self._prefill_done)

    def _prefill_done(self, _ev: Any) -> None:
        pool = self.pool
        now = self.env.now
        i = self.pq.popleft()
        tokens = pool.tout[i]
        if tokens > 0.0:
            self.m += 1
            pool.first[i] = now + 1.0 / pool.rate[self.m]
            heapq.heappush(self.heap, (self.v + tokens, i))
        else:  # nothing to decode (e.g. classification by the prompt's logits)
            pool.first[i] = now
            pool.tick(now)
            pool.finish(i, now)
            self.n -= 1
        if self.pq:
            self._start_prefill()
        else:
            self.prefilling = False
            self.t_u = now
        if tokens <= 0.0:
            self._after_completions(now)
        if not self.prefilling:
            self._schedule()

    def _schedule(self) -> None:
        self.gen += 1
        if self.m and not self.prefilling:
            dt = (self.heap[0][0] - self.v) / self.pool.rate[self.m]
            ev = self.env.timeout(dt if dt > 0.0 else 0.0, value=self.gen)
            ev.callbacks.append(self._decode_due)

    def _decode_due(self, ev: Any) -> None:
        if ev.value != self.gen:
            return
        pool = self.pool
        now = self.env.now
        # time cannot advance by less than one ulp of ``now``: tokens due within it are due
        # now (far into a long run, e.g. 1e9 s at a low arrival rate, the timer would
        # otherwise fire at the same instant for ever without the clock moving)
        slack = pool.rate[self.m] * 2.0 * math.ulp(now) if self.m else 0.0
        self._advance(now)
        heap = self.heap
        limit = self.v + max(_TOL, slack)
        pool.tick(now)
        while heap and heap[0][0] <= limit:
            _, i = heapq.heappop(heap)
            pool.finish(i, now)
            self.m -= 1
            self.n -= 1
        if not self.m:
            self.v = 0.0  # keeps the clock small, so tags stay precise all day
            heap.clear()
        self._after_completions(now)
        if not self.prefilling:
            self._schedule()

    def _after_completions(self, now: float) -> None:
        pool = self.pool
        if self.state == DRAINING:
            if not self.n:
                pool.stop(self, now)
            return
        pool.dispatch(now)
        if not self.n and pool.on_demand:
            pool.watch_idle(self)


class Pool:
    """The replicas, the central queue, the bookkeeping and the scaling actions."""

    def __init__(self, env: simpy.Environment, rates: ServiceRates, arrivals: np.ndarray,
                 tin: np.ndarray, tout: np.ndarray, *, cold_start_s: float = 0.0,
                 idle_timeout_s: float = 300.0, marks: tuple[int, int] = (-1, -1)) -> None:
        self.env = env
        self.batch = rates.max_batch
        self.prefill_speed = rates.prefill_tokens_per_s
        self.rate = [0.0] + [rates.decode_rate(m) for m in range(1, rates.max_batch + 1)]
        self.arr: list[float] = arrivals.tolist()
        self.tin: list[float] = tin.tolist()
        self.tout: list[float] = tout.tolist()
        n = len(self.arr)
        nan = float("nan")
        self.admitted = [nan] * n
        self.first = [nan] * n
        self.done = [nan] * n
        self.queue: deque[int] = deque()
        self.replicas: list[Replica] = []  # not stopped
        self.active: list[Replica] = []  # accepting requests
        self.cold_start_s = cold_start_s
        self.idle_timeout_s = idle_timeout_s
        self.on_demand = False
        self.cold_starts = 0
        self.n_sys = 0
        self.max_queue = 0
        self.t_last = 0.0
        self.area_sys = 0.0
        self.area_q = 0.0
        self.marks = marks
        self.snapshots: dict[int, tuple[float, float, float]] = {}
        self.bill_t: list[float] = [0.0]
        self.bill_n: list[int] = [0]

    # -- bookkeeping --------------------------------------------------------------------
    def tick(self, now: float) -> None:
        """Bring the time integrals of requests in system and in queue up to ``now``."""
        dt = now - self.t_last
        if dt > 0.0:
            self.area_sys += self.n_sys * dt
            self.area_q += len(self.queue) * dt
            self.t_last = now

    def finish(self, i: int, now: float) -> None:
        """Request ``i`` is complete."""
        self.done[i] = now
        self.n_sys -= 1

    def _billed(self, now: float) -> None:
        self.bill_t.append(now)
        self.bill_n.append(len(self.replicas))

    # -- arrivals and dispatch ----------------------------------------------------------
    def start(self) -> None:
        """Schedule the first arrival."""
        if self.arr:
            self._next_arrival(0)

    def _next_arrival(self, i: int) -> None:
        ev = self.env.timeout(self.arr[i] - self.env.now, value=i)
        ev.callbacks.append(self._arrive)

    def _arrive(self, ev: Any) -> None:
        i: int = ev.value
        now = self.env.now
        self.tick(now)
        if i in self.marks:
            self.snapshots[i] = (now, self.area_sys, self.area_q)
        self.n_sys += 1
        self.queue.append(i)
        if self.on_demand and not any(r.state in (STARTING, ACTIVE) for r in self.replicas):
            self.cold_starts += 1
            self.launch(1, now, warm=False)
        self.dispatch(now)
        if len(self.queue) > self.max_queue:
            self.max_queue = len(self.queue)
        if i + 1 < len(self.arr):
            self._next_arrival(i + 1)

    def dispatch(self, now: float) -> None:
        """Admit queued requests to the least-loaded replicas with a free slot."""
        queue = self.queue
        batch = self.batch
        active = self.active
        while queue:
            best = None
            load = batch
            for r in active:
                if r.n < load:
                    best, load = r, r.n
                    if not load:
                        break
            if best is None:
                return
            i = queue.popleft()
            self.admitted[i] = now
            best.admit(i, now)

    # -- replica lifecycle --------------------------------------------------------------
    def launch(self, k: int, now: float, *, warm: bool) -> None:
        """Start ``k`` replicas: serving at once when ``warm``, else after the cold start."""
        for _ in range(k):
            r = Replica(self, ACTIVE if warm else STARTING)
            self.replicas.append(r)
            if warm:
                self.active.append(r)
            else:
                ev = self.env.timeout(self.cold_start_s, value=r)
                ev.callbacks.append(self._ready)
        self._billed(now)

    def _ready(self, ev: Any) -> None:
        r: Replica = ev.value
        if r.state != STARTING:
            return
        now = self.env.now
        r.state = ACTIVE
        r.t_u = now
        self.active.append(r)
        self.tick(now)
        self.dispatch(now)
        if not r.n and self.on_demand:
            self.watch_idle(r)

    def stop(self, r: Replica, now: float) -> None:
        """Stop billing replica ``r`` (it holds no sequences)."""
        if r in self.active:
            self.active.remove(r)
        r.state = STOPPED
        self.replicas.remove(r)
        self._billed(now)

    def watch_idle(self, r: Replica) -> None:
        """Stop ``r`` if it is still idle after the idle timeout (scale to zero)."""
        ev = self.env.timeout(self.idle_timeout_s, value=(r, r.idle_epoch))
        ev.callbacks.append(self._idle_due)

    def _idle_due(self, ev: Any) -> None:
        r, epoch = ev.value
        if (self.on_demand and r.state == ACTIVE and not r.n and r.idle_epoch == epoch
                and not self.queue):
            self.stop(r, self.env.now)

    def set_target(self, k: int, *, on_demand: bool) -> None:
        """Scale to ``k`` replicas (on demand: at most one, started by requests)."""
        now = self.env.now
        self.on_demand = on_demand
        if on_demand:  # keep at most one; the idle timer stops it, a request restarts it
            k = 1
            live = [r for r in self.replicas if r.state in (STARTING, ACTIVE)]
            if len(live) > k:
                self._shrink(live, len(live) - k, now)
            for r in self.active:
                if not r.n:
                    self.watch_idle(r)
            return
        live = [r for r in self.replicas if r.state in (STARTING, ACTIVE)]
        if k > len(live):
            need = k - len(live)
            for r in [r for r in self.replicas if r.state == DRAINING][:need]:
                r.state = ACTIVE
                self.active.append(r)
                need -= 1
            if need:
                self.launch(need, now, warm=False)
            self.dispatch(now)
        elif k < len(live):
            self._shrink(live, len(live) - k, now)

    def _shrink(self, live: list[Replica], k: int, now: float) -> None:
        order = sorted(live, key=lambda r: (r.state != STARTING, r.n))
        for r in order[:k]:
            if r.state == STARTING or not r.n:
                self.stop(r, now)
            else:
                r.state = DRAINING
                self.active.remove(r)


def run(rates: ServiceRates, arrivals: np.ndarray, tin: np.ndarray, tout: np.ndarray, *,
        actions: Sequence[tuple[float, int, bool]], cold_start_s: float = 0.0,
        idle_timeout_s: float = 300.0, marks: tuple[int, int] = (-1, -1)) -> Pool:
    """Simulate until every request is served; return the pool with its records.

    Parameters
    ----------
    rates : ServiceRates
        Speeds of one replica.
    arrivals, tin, tout : numpy.ndarray
        Arrival times (sorted, s) and token counts of each request.
    actions : sequence of (time, replicas, on_demand)
        Scaling actions; the first, at time 0, starts its replicas warm.
    cold_start_s, idle_timeout_s : float
        Launch delay of a replica, and how long an on-demand replica idles before stopping.
    marks : (int, int)
        Indices of two requests at whose arrival the time integrals are recorded
        (``pool.snapshots``), to measure time averages over a window.

    Returns
    -------
    Pool
        With ``admitted``, ``first``, ``done`` (times per request), ``bill_t``/``bill_n``
        (billed replicas after each change), ``max_queue``, ``cold_starts``, ``snapshots``.

    Examples
    --------
    >>> from sim.serving import get_profile, service_rates
    >>> r = service_rates(get_profile("a10g-7b"), max_batch=1)
    >>> t = np.array([0.0, 0.0])
    >>> pool = run(r, t, np.zeros(2), np.array([10.0, 10.0]), actions=[(0.0, 1, False)])
    >>> pool.done[1] > pool.done[0] > 0.0  # one slot: the second waits for the first
    True
    """
    # deferred: simpy (~20 ms of a start) only for a study that simulates its serving
    import simpy

    env = simpy.Environment()
    pool = Pool(env, rates, arrivals, tin, tout, cold_start_s=cold_start_s,
                idle_timeout_s=idle_timeout_s, marks=marks)
    first, *rest = actions
    if first[2]:
        pool.on_demand = True
    else:
        pool.launch(first[1], 0.0, warm=True)
    for when, k, on_demand in rest:
        ev = env.timeout(when, value=(k, on_demand))
        ev.callbacks.append(lambda e: pool.set_target(e.value[0], on_demand=e.value[1]))
    pool.start()
    env.run()
    return pool
