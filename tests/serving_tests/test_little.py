"""Little's law on the simulated queue: L = lambda W and Lq = lambda Wq.

L and Lq are time averages over a window; lambda the arrivals per second in it; W and Wq
the mean sojourn and wait of those arrivals. Checked on the continuous-batching model (B = 32,
lognormal request sizes), where no closed form exists, within 4 standard errors of the mean
of independent replications.
"""

from __future__ import annotations

import numpy as np
import pytest

from distributions import parse
from sim.serving import ServingConfig, get_profile, simulate_steady

REPS = 8


@pytest.fixture(scope="module", params=[1, 3])
def runs(request):
    c = request.param
    cfg = ServingConfig(get_profile("a10g-7b"), parse("200 to 1500"), parse("20 to 300"),
                        max_batch=8)
    rate = 0.85 * c * cfg.capacity_per_replica
    return [simulate_steady(cfg, rate_per_s=rate, replicas=c, n_requests=12_000, warmup=0.2,
                            rng=np.random.default_rng(s))
            for s in np.random.SeedSequence(7).spawn(REPS)]


def _mean_se(x):
    x = np.asarray(x)
    return x.mean(), x.std(ddof=1) / np.sqrt(x.size)


def test_littles_law_system(runs):
    est_l, se_l = _mean_se([r.mean_in_system for r in runs])
    est_lw, _ = _mean_se([r.arrival_rate * r.mean_e2e_s for r in runs])
    assert se_l < 0.05 * est_l
    assert abs(est_l - est_lw) < 4 * se_l, (est_l, est_lw, se_l)


def test_littles_law_queue(runs):
    est_q, se_q = _mean_se([r.mean_in_queue for r in runs])
    est_qw, _ = _mean_se([r.arrival_rate * r.mean_wait_s for r in runs])
    assert est_q > 0.1  # the batch slots do fill up: there is a queue to test
    assert abs(est_q - est_qw) < 4 * se_q, (est_q, est_qw, se_q)
