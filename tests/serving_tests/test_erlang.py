"""The serving model against Erlang C (M/M/c): B = 1, exponential service, constant rate.

Reference: Kleinrock, Queueing Systems vol. 1 (1975), §3.5. For lambda = 8, mu = 1, c = 10:
P(wait) = 0.4092, Wq = 0.2046 (also ECOSYSTEM.md). A single run scatters by 3-5% at
rho = 0.8, so the estimate is the mean of independent replications (SeedSequence.spawn) and
the tolerance 4 standard errors of that mean.
"""

from __future__ import annotations

import numpy as np
import pytest
from serving_tests.serving_helpers import mmc_config

from sim.serving import erlang_c, simulate_steady

LAM, MU, C = 8.0, 1.0, 10
REPS, N = 12, 60_000


def test_erlang_c_reference_values():
    p, wq = erlang_c(LAM, MU, C)
    assert p == pytest.approx(0.40918, abs=5e-5)
    assert wq == pytest.approx(0.20459, abs=5e-5)


def test_erlang_c_one_server_is_mm1():
    p, wq = erlang_c(0.6, 1.0, 1)
    assert p == pytest.approx(0.6)  # P(wait) = rho
    assert wq == pytest.approx(0.6 / (1.0 - 0.6))  # rho / (mu - lambda)


def test_erlang_c_large_pool_is_stable():
    p, wq = erlang_c(950.0, 1.0, 1000)
    assert 0.0 < p < 1.0 and wq > 0.0


@pytest.mark.parametrize(("args", "match"), [
    ((10.0, 1.0, 10), "grows without bound"),
    ((-1.0, 1.0, 2), "lam > 0"),
    ((1.0, 1.0, 0), "whole c >= 1"),
])
def test_erlang_c_rejects(args, match):
    with pytest.raises(ValueError, match=match):
        erlang_c(*args)


@pytest.fixture(scope="module", params=["prefill", "decode"])
def replications(request):
    """Mean wait and P(wait) of independent runs, service in the prefill or decode phase."""
    cfg = mmc_config(request.param)
    runs = [simulate_steady(cfg, rate_per_s=LAM, replicas=C, n_requests=N, warmup=0.1,
                            rng=np.random.default_rng(s))
            for s in np.random.SeedSequence(2024).spawn(REPS)]
    return runs


def _mean_se(x):
    x = np.asarray(x)
    return x.mean(), x.std(ddof=1) / np.sqrt(x.size)


def test_mean_wait_matches_erlang_c(replications):
    est, se = _mean_se([r.mean_wait_s for r in replications])
    ref = erlang_c(LAM, MU, C)[1]
    assert se < 0.03 * ref  # the test has power: the interval is narrow
    assert abs(est - ref) < 4 * se, (est, se, ref)


def test_wait_probability_matches_erlang_c(replications):
    est, se = _mean_se([r.p_wait for r in replications])
    ref = erlang_c(LAM, MU, C)[0]
    assert se < 0.02 * ref
    assert abs(est - ref) < 4 * se, (est, se, ref)


def test_utilization_is_rho(replications):
    est, se = _mean_se([r.utilization for r in replications])
    assert abs(est - LAM / (C * MU)) < 4 * se


def test_mean_in_system_matches_mmc(replications):
    """L = lambda * (Wq + 1/mu) for M/M/c."""
    est, se = _mean_se([r.mean_in_system for r in replications])
    ref = LAM * (erlang_c(LAM, MU, C)[1] + 1.0 / MU)
    assert abs(est - ref) < 4 * se, (est, se, ref)
