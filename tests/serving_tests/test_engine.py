"""The discrete-event model with fixed durations: exact event times (SimPy's testing habit).

Rates: prefill 100 tokens/s; decode step t(m) = 0.01 * (1 + m) s, so one sequence decodes
at 50 tokens/s and each of two at 33.3 tokens/s.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.serving import ServiceRates
from sim.serving.engine import run


def rates(batch: int) -> ServiceRates:
    return ServiceRates(prefill_tokens_per_s=100.0, step_per_seq_s=0.01, decode_half_batch=1.0,
                        decode_multiplier=1.0, max_batch=batch)


def arrays(*xs):
    return [np.asarray(x, dtype=np.float64) for x in xs]


def test_one_slot_serves_in_turn():
    arr, tin, tout = arrays([0, 0], [100, 100], [50, 50])
    pool = run(rates(1), arr, tin, tout, actions=[(0.0, 1, False)])
    assert pool.admitted == [0.0, 2.0]
    assert pool.first == pytest.approx([1.02, 3.02])  # prefill end + one token at 50/s
    assert pool.done == pytest.approx([2.0, 4.0])


def test_prefill_pauses_decoding_then_batch_shares_the_step():
    arr, tin, tout = arrays([0, 0], [100, 100], [100, 100])
    pool = run(rates(2), arr, tin, tout, actions=[(0.0, 1, False)])
    assert pool.admitted == [0.0, 0.0]
    # prefills run back to back (0-1, 1-2); decoding of the first waits for the second's
    assert pool.first == pytest.approx([1.0 + 1 / 50, 2.0 + 0.03])
    assert pool.done == pytest.approx([5.0, 5.0])  # 100 tokens at 33.3/s from t = 2


def test_processor_sharing_with_staggered_joins():
    arr, tin, tout = arrays([0, 1], [0, 0], [100, 20])
    pool = run(rates(2), arr, tin, tout, actions=[(0.0, 1, False)])
    # alone 0-1: 50 tokens; together: the second needs 20 at 33.3/s (0.6 s); the first's
    # last 30 at 50/s
    assert pool.done == pytest.approx([2.2, 1.6])


def test_least_loaded_dispatch_and_prefill_only_requests():
    arr, tin, tout = arrays([0, 0, 0], [100, 100, 100], [0, 0, 0])
    pool = run(rates(2), arr, tin, tout, actions=[(0.0, 2, False)])
    # one request per replica first; the third waits in the first replica's prefill FIFO
    assert pool.done == pytest.approx([1.0, 1.0, 2.0])
    assert pool.first == pool.done


def test_scale_to_zero_cold_start_and_idle_stop():
    arr, tin, tout = arrays([5.0], [0.0], [50.0])
    pool = run(rates(1), arr, tin, tout, actions=[(0.0, 1, True)], cold_start_s=10.0,
               idle_timeout_s=100.0)
    assert pool.admitted == [15.0] and pool.done == pytest.approx([16.0])
    assert pool.cold_starts == 1
    assert pool.bill_t == pytest.approx([0.0, 5.0, 116.0])
    assert pool.bill_n == [0, 1, 0]


def test_scale_down_drains_before_stopping():
    arr, tin, tout = arrays([0, 0, 1.5], [0, 0, 0], [100, 100, 50])
    pool = run(rates(1), arr, tin, tout, actions=[(0.0, 2, False), (1.0, 1, False)])
    assert pool.done == pytest.approx([2.0, 2.0, 3.0])  # the third waits for a slot
    assert pool.admitted[2] == 2.0
    assert pool.bill_t == pytest.approx([0.0, 0.0, 2.0])
    assert pool.bill_n == [0, 2, 1]


def test_scale_up_waits_for_the_cold_start():
    arr, tin, tout = arrays([0, 0], [0, 0], [100, 100])
    pool = run(rates(1), arr, tin, tout, actions=[(0.0, 1, False), (0.5, 2, False)],
               cold_start_s=1.0)
    assert pool.done == pytest.approx([2.0, 3.5])  # second replica ready at 1.5
    assert pool.bill_n == [0, 1, 2]


def test_time_integrals_are_exact():
    arr, tin, tout = arrays([0, 0], [100, 100], [50, 50])
    pool = run(rates(1), arr, tin, tout, actions=[(0.0, 1, False)])
    # in system: 2 over [0, 2), 1 over [2, 4); in queue: 1 over [0, 2)
    assert pool.area_sys == pytest.approx(6.0)
    assert pool.area_q == pytest.approx(2.0)


def test_entering_on_demand_keeps_one_replica_while_traffic_lasts():
    arr, tin, tout = arrays([0, 0, 1.5, 3.0], [0, 0, 0, 0], [100, 100, 50, 50])
    pool = run(rates(1), arr, tin, tout, actions=[(0.0, 2, False), (1.0, 0, True)],
               cold_start_s=10.0, idle_timeout_s=5.0)
    assert pool.cold_starts == 0
    assert pool.done == pytest.approx([2.0, 2.0, 3.0, 4.0])
    # one replica drains at 2; the other stops 5 s after its last request
    assert pool.bill_t == pytest.approx([0.0, 0.0, 2.0, 9.0])
    assert pool.bill_n == [0, 2, 1, 0]


SIMPY_ON_DEMAND = """
import sys
import numpy as np
from sim import load_study, run
run(load_study(sys.argv[1], overrides=["study.samples=2000"]), write=False)
before = "simpy" in sys.modules
from sim.serving import get_profile, service_rates
from sim.serving.engine import run as serve
serve(service_rates(get_profile("a10g-7b"), max_batch=1), np.array([0.0]), np.zeros(1),
      np.array([10.0]), actions=[(0.0, 1, False)])
print(before, "simpy" in sys.modules)
"""


def test_simpy_is_imported_only_when_a_study_simulates_its_serving():
    # ~20 ms of every command's start spared: a run whose serving is not simulated
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", SIMPY_ON_DEMAND,
                          str(root / "studies/legal_contracts.toml")], cwd=root,
                         capture_output=True, text=True, check=True, timeout=300).stdout
    assert out.split() == ["False", "True"]
