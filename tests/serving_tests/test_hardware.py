"""The hardware profiles shipped as data, and the service rates derived from them."""

from __future__ import annotations

import pytest

from sim.serving import (
    get_profile,
    load_profiles,
    option_multipliers,
    profile_for_size,
    service_rates,
)

#: The lesson (seed 001), "Component 3: Serving Infrastructure Cost".
LESSON = {  # name: (model size, GPUs, $/month 24/7, tokens/s)
    "a10g-7b": (7, 1, 742, 5000),
    "a100-40gb-13b": (13, 1, 1440, 3000),
    "2xa100-80gb-70b": (70, 2, 3600, 800),
}


@pytest.mark.parametrize("name", sorted(LESSON))
def test_profiles_carry_the_lesson_figures(name):
    size, gpus, monthly, tokens = LESSON[name]
    p = get_profile(name)
    assert p.model_size_b == size and p.gpus_per_replica == gpus
    assert p.hourly_usd * 720 == pytest.approx(monthly, abs=2.0)  # 742 = 1.03 x 720, rounded
    assert p.tokens_per_s == tokens and p.reference_batch == 32
    assert p.source.startswith("lesson")


@pytest.mark.parametrize("name", sorted(LESSON))
def test_rates_reproduce_the_quoted_throughput(name):
    p = get_profile(name)
    r = service_rates(p)
    tin, tout = p.reference_input_tokens, p.reference_output_tokens
    assert r.tokens_per_s(tin, tout) == pytest.approx(p.tokens_per_s, rel=1e-12)
    # prefill is prefill_speedup times the aggregate decode speed at the reference batch
    assert r.prefill_tokens_per_s == pytest.approx(p.prefill_speedup
                                                   * r.full_decode_tokens_per_s)


def test_batching_trades_per_sequence_speed_for_aggregate_speed():
    r = service_rates(get_profile("a10g-7b"), max_batch=64)
    per_seq = [r.decode_rate(m) for m in (1, 8, 32, 64)]
    aggregate = [m * r.decode_rate(m) for m in (1, 8, 32, 64)]
    assert per_seq == sorted(per_seq, reverse=True)
    assert aggregate == sorted(aggregate)
    k = get_profile("a10g-7b").decode_half_batch
    assert r.decode_rate(32) / r.decode_rate(1) == pytest.approx((k + 1) / (k + 32))


def test_options_are_throughput_multipliers():
    p = get_profile("a10g-7b")
    base = service_rates(p)
    int4 = service_rates(p, quantization="int4")
    spec = service_rates(p, speculative_decoding=True)
    assert option_multipliers()["quantization"] == {"none": 1.0, "int8": 1.4, "int4": 1.8}
    assert int4.tokens_per_s(500, 200) == pytest.approx(1.8 * 5000)
    # speculative decoding: decode 2x, prefill unchanged
    assert spec.decode_rate(1) == pytest.approx(2.0 * base.decode_rate(1))
    assert spec.prefill_tokens_per_s == base.prefill_tokens_per_s
    assert 5000 < spec.tokens_per_s(500, 200) < 10000


def test_measured_throughput_replaces_the_quoted_one():
    r = service_rates(get_profile("a10g-7b"), tokens_per_s=2000.0)
    assert r.tokens_per_s(500, 200) == pytest.approx(2000.0)


def test_unknown_profile_lists_the_names():
    with pytest.raises(ValueError, match=r"'h200-7b' is not a known hardware profile; it must "
                       r"be one of \{'2xa100-80gb-70b', 'a100-40gb-13b', 'a10g-7b'\}"):
        get_profile("h200-7b")


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match="'int3' is not a valid 'quantization'"):
        service_rates(get_profile("a10g-7b"), quantization="int3")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_batch=0 must be"):
        service_rates(get_profile("a10g-7b"), max_batch=0)


@pytest.mark.parametrize(("size", "name"), [(3, "a10g-7b"), (7, "a10g-7b"), (13, "a100-40gb-13b"),
                                            (20, "a100-40gb-13b"), (70, "2xa100-80gb-70b")])
def test_profile_for_size(size, name):
    assert profile_for_size(size).name == name


def test_load_profiles_names():
    assert set(load_profiles()) == set(LESSON)
