"""numpy's PCG64 and SeedSequence, compiled (numba): the uniforms of a Monte Carlo plan's
blocks drawn without a Python generator per block, bit for bit numpy's.

Every block of every input draws from ``Generator(PCG64(SeedSequence(seed, spawn_key=
key)))`` (:mod:`distributions.sampling`). :func:`seed_sequence_words` is SeedSequence's
hash mixing (numpy/random/bit_generator.pyx), :func:`uniforms_into` PCG64's
``random()``: the 128-bit LCG ``state = state * M + inc``, the XSL-RR output
``rotr64(hi ^ lo, hi >> 58)`` of the new state, ``(x >> 11) * 2**-53``
(numpy/random/src/pcg64). Four positions of the stream are stepped side by side (each
by ``M**4``), which lets the processor overlap the multiplications of one stream: about
twice numpy's speed here, the same numbers (the tests compare with numpy's generator
for many seeds, keys, lengths and offsets). Imported only when something is drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from distributions.jit import Deferred, njit

JIT = {"cache": True, "nogil": True}
#: PCG64's multiplier (pcg64.h, PCG_DEFAULT_MULTIPLIER_128), high and low words
M_HI, M_LO = 2549297995355413924, 4865540595714422341
#: 2**-53: numpy's next_double scale
SCALE = 1.0 / 9007199254740992.0


def _madd128_typed(typingctx: Any, a_hi: Any, a_lo: Any, b_hi: Any, b_lo: Any, c_hi: Any,
             c_lo: Any) -> Any:  # pragma: no cover - compiled
    """``(a * b + c) mod 2**128`` of 128-bit numbers given as (high, low) uint64 words,
    as (high, low): LLVM's 128-bit integers, so the machine's 64x64->128 multiply."""
    # numba: only when compiling (a loaded build needs none)
    from llvmlite import ir
    from numba import types

    u64 = types.uint64
    ret = types.UniTuple(u64, 2)
    sig = ret(u64, u64, u64, u64, u64, u64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        i128, i64 = ir.IntType(128), ir.IntType(64)
        sixty_four = ir.Constant(i128, 64)

        def join(hi: Any, lo: Any) -> Any:
            return builder.or_(builder.shl(builder.zext(hi, i128), sixty_four),
                               builder.zext(lo, i128))

        r = builder.add(builder.mul(join(args[0], args[1]), join(args[2], args[3])),
                        join(args[4], args[5]))
        hi = builder.trunc(builder.lshr(r, sixty_four), i64)
        return context.make_tuple(builder, ret, [hi, builder.trunc(r, i64)])

    return sig, codegen


def _madd128_intrinsic() -> Any:
    # numba: only when compiling (a loaded build needs none)
    from numba.extending import intrinsic

    return intrinsic(_madd128_typed)


#: numba's intrinsic, made when the kernels are first compiled (:class:`Deferred`)
_madd128: Any = Deferred(_madd128_intrinsic)


@njit(**JIT)
def _output(hi: Any, lo: Any) -> Any:
    """PCG64's 64-bit output of a state (after its step): XSL-RR."""
    x = hi ^ lo
    rot = hi >> np.uint64(58)
    return (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))


@njit(**JIT)
def _double(hi: Any, lo: Any) -> float:
    """numpy's ``next_double`` of a PCG64 state (after its step)."""
    # 53 bits: exact as a signed integer, whose conversion is one instruction
    return np.float64(np.int64(_output(hi, lo) >> np.uint64(11))) * SCALE


@njit(**JIT)
def _advance(s_hi: Any, s_lo: Any, i_hi: Any, i_lo: Any, delta: int) -> Any:
    """The state ``delta`` steps on (pcg_advance_lcg_128: square and multiply)."""
    zero = np.uint64(0)
    am_hi, am_lo = zero, np.uint64(1)
    ap_hi, ap_lo = zero, zero
    cm_hi, cm_lo = np.uint64(M_HI), np.uint64(M_LO)
    cp_hi, cp_lo = i_hi, i_lo
    while delta > 0:
        if delta & 1:
            am_hi, am_lo = _madd128(am_hi, am_lo, cm_hi, cm_lo, zero, zero)
            ap_hi, ap_lo = _madd128(ap_hi, ap_lo, cm_hi, cm_lo, cp_hi, cp_lo)
        cp_hi, cp_lo = _madd128(cm_hi, cm_lo, cp_hi, cp_lo, cp_hi, cp_lo)  # (cm + 1) * cp
        cm_hi, cm_lo = _madd128(cm_hi, cm_lo, cm_hi, cm_lo, zero, zero)
        delta >>= 1
    return _madd128(am_hi, am_lo, s_hi, s_lo, ap_hi, ap_lo)


@njit(**JIT)
def _start(state: np.ndarray, skip: int) -> np.ndarray:
    """Four positions of the stream ``state = (state_hi, state_lo, inc_hi, inc_lo)`` from
    draw ``skip`` on, and the step that moves each of them four draws on: rows (high,
    low) of the states after ``skip + 1`` to ``skip + 4`` steps, then ``M**4`` and
    ``inc * (M**3 + M**2 + M + 1)`` (the LCG four steps at once)."""
    mh, ml = np.uint64(M_HI), np.uint64(M_LO)
    zero = np.uint64(0)
    ih, il = state[2], state[3]
    lanes = np.empty((6, 2), dtype=np.uint64)
    h, lo = _advance(state[0], state[1], ih, il, skip)
    for k in range(4):
        h, lo = _madd128(h, lo, mh, ml, ih, il)
        lanes[k, 0] = h
        lanes[k, 1] = lo
    m2h, m2l = _madd128(mh, ml, mh, ml, zero, zero)  # M**2
    c2h, c2l = _madd128(ih, il, mh, ml, ih, il)  # inc * (M + 1)
    ah, al = _madd128(m2h, m2l, m2h, m2l, zero, zero)
    ch, cl = _madd128(c2h, c2l, m2h, m2l, c2h, c2l)
    lanes[4, 0], lanes[4, 1], lanes[5, 0], lanes[5, 1] = ah, al, ch, cl
    return lanes


@njit(native=("void(const u8[:, ::1], i8, f8, f8, f8[:, ::1])",), **JIT)
def uniforms_into(state: np.ndarray, skip: int, lo: float, hi: float,
                  out: np.ndarray) -> None:
    """``out[j]`` = draws ``skip`` to ``skip + m - 1`` of ``Generator(PCG64)`` ``.random()``
    from the state ``state[j] = (state_hi, state_lo, inc_hi, inc_lo)``, clipped to
    ``[lo, hi]``; ``out`` is (d, m), each row contiguous.
    """
    m = out.shape[1]
    for j in range(out.shape[0]):
        row = out[j]
        lanes = _start(state[j], skip)
        h0, l0, h1, l1 = lanes[0, 0], lanes[0, 1], lanes[1, 0], lanes[1, 1]
        h2, l2, h3, l3 = lanes[2, 0], lanes[2, 1], lanes[3, 0], lanes[3, 1]
        ah, al, ch, cl = lanes[4, 0], lanes[4, 1], lanes[5, 0], lanes[5, 1]
        i = 0
        while i + 4 <= m:
            row[i] = _double(h0, l0)
            row[i + 1] = _double(h1, l1)
            row[i + 2] = _double(h2, l2)
            row[i + 3] = _double(h3, l3)
            h0, l0 = _madd128(h0, l0, ah, al, ch, cl)
            h1, l1 = _madd128(h1, l1, ah, al, ch, cl)
            h2, l2 = _madd128(h2, l2, ah, al, ch, cl)
            h3, l3 = _madd128(h3, l3, ah, al, ch, cl)
            i += 4
        if i < m:
            row[i] = _double(h0, l0)
        if i + 1 < m:
            row[i + 1] = _double(h1, l1)
        if i + 2 < m:
            row[i + 2] = _double(h2, l2)
        for k in range(m):
            v = row[k]
            row[k] = hi if v > hi else (lo if v < lo else v)


@njit(**JIT)
def _raw_into(lanes: np.ndarray, buf: np.ndarray) -> None:
    """The next ``buf.size`` (a multiple of 4) 64-bit outputs of the stream held in
    ``lanes`` (:func:`_start`), which move on."""
    h0, l0, h1, l1 = lanes[0, 0], lanes[0, 1], lanes[1, 0], lanes[1, 1]
    h2, l2, h3, l3 = lanes[2, 0], lanes[2, 1], lanes[3, 0], lanes[3, 1]
    ah, al, ch, cl = lanes[4, 0], lanes[4, 1], lanes[5, 0], lanes[5, 1]
    for i in range(0, buf.size, 4):
        buf[i] = _output(h0, l0)
        buf[i + 1] = _output(h1, l1)
        buf[i + 2] = _output(h2, l2)
        buf[i + 3] = _output(h3, l3)
        h0, l0 = _madd128(h0, l0, ah, al, ch, cl)
        h1, l1 = _madd128(h1, l1, ah, al, ch, cl)
        h2, l2 = _madd128(h2, l2, ah, al, ch, cl)
        h3, l3 = _madd128(h3, l3, ah, al, ch, cl)
    lanes[0, 0], lanes[0, 1], lanes[1, 0], lanes[1, 1] = h0, l0, h1, l1
    lanes[2, 0], lanes[2, 1], lanes[3, 0], lanes[3, 1] = h2, l2, h3, l3


#: 64-bit outputs drawn at a time for a shuffle (a multiple of 4)
_BUF = 1024


@njit(native=("void(const u8[::1], const f8[::1], f8[:, ::1])",), **JIT)
def permutations_into(state: np.ndarray, base: np.ndarray, out: np.ndarray) -> None:
    """``out[i] = Generator(PCG64).permutation(base)`` for i = 0, 1, ... in turn from the
    state ``(state_hi, state_lo, inc_hi, inc_lo)``, for ``base.size <= 2**32``.

    numpy's Fisher-Yates shuffle (``_shuffle_raw``) swaps element i (from the last down
    to 1) with element ``random_interval(i)``: 32-bit draws masked to the smallest
    all-ones number >= i, rejected while above i. PCG64's ``next_uint32`` gives the low
    then the high half of each 64-bit output, so the 32-bit draws are the outputs read
    as (low, high) pairs: drawn in bulk, then consumed in order by a loop without a
    branch (each draw either fixes index i and moves to i - 1, or is rejected), then
    the swaps.
    """
    lanes = _start(state, 0)
    raw = np.empty(_BUF, dtype=np.uint64)
    low32 = np.uint64(0xFFFFFFFF)
    one = np.uint64(1)
    pos = 2 * _BUF  # 32-bit draws used from raw
    n = base.size
    js = np.empty(max(n, 1), dtype=np.uint64)
    for row in range(out.shape[0]):
        top = np.uint64(max(n - 1, 0))
        mask = top
        for shift in (1, 2, 4, 8, 16):
            mask |= mask >> np.uint64(shift)
        while top > 0:
            if pos == 2 * _BUF:
                _raw_into(lanes, raw)
                pos = 0
            w = raw[pos >> 1]
            v = ((w >> np.uint64(32)) if pos & 1 else (w & low32)) & mask
            pos += 1
            js[top] = v
            top -= np.uint64(v <= top)
            # top fell below a power of two: the mask loses its top bit
            mask >>= np.uint64(top <= (mask >> one))
        x = out[row]
        x[:] = base
        for i in range(n - 1, 0, -1):
            j = js[i]
            x[i], x[j] = x[j], x[i]


# SeedSequence's constants (numpy/random/bit_generator.pyx)
_SS_INIT_A, _SS_MULT_A = 0x43B0D7E5, 0x931E8875
_SS_INIT_B, _SS_MULT_B = 0x8B51F9DD, 0x58F38DED
_SS_MIX_L, _SS_MIX_R = 0xCA01F9DD, 0x4973F715
_SS_MASK32 = 0xFFFFFFFF
_SS_POOL = 4


@njit(**JIT)
def _hashmix(value: Any, hc: Any) -> Any:
    m32 = np.uint64(_SS_MASK32)
    value = value ^ hc
    hc = (hc * np.uint64(_SS_MULT_A)) & m32
    value = (value * hc) & m32
    return value ^ (value >> np.uint64(16)), hc


@njit(**JIT)
def _mix(x: Any, y: Any) -> Any:
    r = (np.uint64(_SS_MIX_L) * x - np.uint64(_SS_MIX_R) * y) & np.uint64(_SS_MASK32)
    return r ^ (r >> np.uint64(16))


@njit(native=("u8[:, ::1](const u4[::1], const i8[::1])",), **JIT)
def seed_sequence_words(entropy: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The first eight 32-bit words ``generate_state`` gives of each ``SeedSequence``
    whose assembled entropy is ``entropy[ends[i-1]:ends[i]]`` (uint32; see
    :func:`distributions.streams.pcg64_states`), one row each: the pool hash-mixed as
    numpy does, in 32-bit arithmetic wrapping as in C (held in uint64 and masked)."""
    m32 = np.uint64(_SS_MASK32)
    out = np.empty((ends.size, 8), dtype=np.uint64)
    pool = np.zeros(_SS_POOL, dtype=np.uint64)
    a = 0
    for row in range(ends.size):
        e = entropy[a:ends[row]]
        a = ends[row]
        n = e.size
        hc = np.uint64(_SS_INIT_A)
        for i in range(_SS_POOL):
            pool[i], hc = _hashmix(np.uint64(e[i]) if i < n else np.uint64(0), hc)
        for i_src in range(_SS_POOL):
            for i_dst in range(_SS_POOL):
                if i_src != i_dst:
                    h, hc = _hashmix(pool[i_src], hc)
                    pool[i_dst] = _mix(pool[i_dst], h)
        for i_src in range(_SS_POOL, n):
            for i_dst in range(_SS_POOL):
                h, hc = _hashmix(np.uint64(e[i_src]), hc)
                pool[i_dst] = _mix(pool[i_dst], h)
        hb = np.uint64(_SS_INIT_B)
        for i in range(8):
            v = pool[i % _SS_POOL] ^ hb
            hb = (hb * np.uint64(_SS_MULT_B)) & m32
            v = (v * hb) & m32
            out[row, i] = v ^ (v >> np.uint64(16))
    return out
