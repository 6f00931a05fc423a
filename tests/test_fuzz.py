"""A fuzzer for study files: the CLI answers every document with exit 0 and finite figures,
or exit 2 with one line and no output; never exit 1, never a traceback.

Documents are built from the schema itself (:data:`sim.study.schema.WORKLOAD`, every kind of
:data:`sim.study.kinds.KINDS` with its fields, words and settings, the ``[study]`` settings),
so a new key is fuzzed as soon as it exists. Each starts mostly valid (values drawn inside
their domains, as numbers, intervals or distribution tables) and then takes a few hostile
mutations: wrong types, extremes (1e308, -0.0, 5e-324, nan, inf as TOML floats, integers
beyond 64 bits), unicode and huge strings, deep nesting, unknown keys, empty tables, keys
removed; some documents are raw garbage bytes or TOML text with bytes flipped. Each is
written as TOML and run through :func:`sim.cli.main` in-process (a few samples, into a
temporary ``--out``).

The default run is bounded to a few seconds (``FUZZ_EXAMPLES`` examples). For a soak run:

    FTRISK_FUZZ_EXAMPLES=2000 python -m pytest -q -p no:cacheprovider -m slow tests/test_fuzz.py

(the slow test runs ``FTRISK_FUZZ_EXAMPLES`` examples, 300 by default; ``-m slow`` selects
it, the default run skips it). The calculators (``cost``, ``screen``, ``train-cost``) take
only flags: their fuzzer sets a few flags to hostile text (extremes, nan, inf, 1e400,
words, unicode, empty) and runs 4x (default run) or 10x (soak) as many examples.
``instances = "simulated"`` is left out of the fast run only: its serving simulation takes
seconds per configuration.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.study.kinds import KINDS
from sim.study.loader import STUDY_SETTINGS
from sim.study.schema import PROJECT_KEYS, WORKLOAD, Domain, Field
from sim.study.serving import AUTOSCALING_KEYS as SERVING_KEYS

#: Examples of the default run (the same ones each time): a few seconds.
FUZZ_EXAMPLES = 12
SOAK_EXAMPLES = int(os.environ.get("FTRISK_FUZZ_EXAMPLES", "300"))

FAST = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
SOAK = settings(max_examples=SOAK_EXAMPLES, deadline=None,
                suppress_health_check=list(HealthCheck))

#: The calculators' flags take milliseconds a case: more examples in the same time.
FLAGS_FAST = settings(max_examples=4 * FUZZ_EXAMPLES, deadline=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
FLAGS_SOAK = settings(max_examples=10 * SOAK_EXAMPLES, deadline=None,
                      suppress_health_check=list(HealthCheck))

NAMES = ("frontier", "self_hosted", "hosted", "cheap", "route")
MODELS = ("gpt-4o@2024", "gpt-3.5-turbo@2024", "claude-3-haiku@2024", "gpt-4o", "nope-9")
WORDS = {"gpu": ("a10g", "a100_80g", "h100", "tpu"), "training_provider": ("openai", "x"),
         "hardware": ("a10g-7b", "a100-40gb-13b", "tpu-7b"), "model": MODELS}

EXTREMES: tuple[Any, ...] = (
    1e308, -1e308, 5e-324, -5e-324, -0.0, 0.0, math.nan, math.inf, -math.inf, 2**63 - 1,
    -(2**63), 10**30, 10**400, 1.7976931348623157e308, 1e-300, 2**53 + 1, -1, 0, 1,
)


# -- TOML text ---------------------------------------------------------------------------

def toml_key(k: str) -> str:
    if k and all(c.isascii() and (c.isalnum() or c in "_-") for c in k):
        return k
    return toml_string(k)


def toml_string(s: str) -> str:
    """A TOML basic string: printable ASCII as is, the rest as \\uXXXX / \\UXXXXXXXX (a lone
    surrogate stays one: invalid TOML, which is a hostile case too)."""
    out = []
    for c in s:
        o = ord(c)
        if 0x20 <= o < 0x7F and c not in '"\\':
            out.append(c)
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    return '"' + "".join(out) + '"'


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, RawToml):
        return v.text
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(type(v))


class RawToml:
    """A value written verbatim (a TOML date, or deep nesting built as text)."""

    def __init__(self, text: str) -> None:
        self.text = text


def toml_document(doc: dict[str, Any]) -> str:
    """Top-level tables as [headers], strategies as [strategies.x], the rest inline."""
    lines = []
    for key, value in doc.items():
        if key == "strategies" and isinstance(value, dict) and all(
                isinstance(v, dict) for v in value.values()) and value:
            for name, table in value.items():
                lines.append(f"[strategies.{toml_key(name)}]")
                lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items()]
        elif isinstance(value, dict):
            lines.append(f"[{toml_key(key)}]")
            lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()]
        else:
            lines.insert(0, f"{toml_key(key)} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


# -- values inside a domain ----------------------------------------------------------------

def _bounds(d: Domain) -> tuple[float, float]:
    """An ordinary stretch of the domain: its lower end to 1000x (or +1000) above it."""
    lo = d.lo if not d.lo_open else (d.lo + max(1e-3, abs(d.lo) * 1e-3))
    hi = d.hi if not d.hi_open else d.hi * (1 - 1e-9)
    return lo, min(hi, max(lo * 1000, lo + 1000))


@st.composite
def number_in(draw: st.DrawFn, d: Domain) -> Any:
    lo, hi = _bounds(d)
    if d.integer:
        return draw(st.integers(math.ceil(lo), int(min(hi, lo + 50))))
    edge = draw(st.sampled_from([lo, d.hi if not d.hi_open else hi, None, None, None]))
    return edge if edge is not None else draw(st.floats(lo, hi))


@st.composite
def belief_in(draw: st.DrawFn, d: Domain) -> Any:
    """A number, an interval or a distribution table inside the domain."""
    lo, hi = _bounds(d)
    a, b = sorted((draw(st.floats(lo, hi)), draw(st.floats(lo, hi))))
    if not b > a * (1 + 1e-6) + 1e-9:
        return draw(number_in(d))
    mid = (a + b) / 2
    if d.integer:
        k = math.ceil(a)
        return draw(st.sampled_from([draw(number_in(d)), {"uniform_int": [k, k + 3]},
                                     {"discrete": {"values": [k, k + 1]}}]))
    choices: list[Any] = [draw(number_in(d)), {"uniform": [a, b]}, {"pert": [a, mid, b]},
                          {"triangular": [a, a, b]},
                          {"normal": {"mean": mid, "sd": (b - a) / 4}, "truncate": [a, b]}]
    if d.lo >= 0 and d.hi <= 1:  # rates
        choices.append({"beta": {"mean": mid, "sd": (b - a) / 8}})
        if not (d.lo_open or d.hi_open):
            choices.append({"bernoulli": 0.3})
    c = min(b, 3 * a)
    if a > 1e-6 and math.sqrt(a * c) * (c / a) ** 2.5 < d.hi:  # the 8-sigma tail stays inside
        choices += [f"{a:.6g} to {c:.6g}", {"lognormal": {"p10": a, "p90": c}},
                    {"quantiles": {"p10": a, "p50": (a + c) / 2, "p90": c}},
                    {"gamma": {"mean": (a + c) / 2, "sd": (c - a) / 20}}]
    return draw(st.sampled_from(choices))


# -- hostile values and shapes ---------------------------------------------------------

def deep(n: int) -> RawToml:
    return RawToml("{ a = " * n + "1" + " }" * n)


HOSTILE = st.one_of(
    st.sampled_from(EXTREMES),
    st.text(max_size=30),
    st.sampled_from(["", "x" * 200_000, "3000 to", "1e308 to 1e309", "-5 to -1", "nan to 1",
                     "1 to 1e300", "\u202e\u0000\n", "auto", "estimate", "simulated"]),
    st.booleans(),
    st.lists(st.sampled_from(EXTREMES), max_size=4),
    st.dictionaries(st.text(max_size=8), st.sampled_from(EXTREMES), max_size=3),
    st.sampled_from([{}, [], [[]], {"uniform": []}, {"uniform": [1e308, -1e308]},
                     {"lognormal": {"p10": 1, "p90": 1e308}},
                     {"normal": {"mean": 0, "sd": 1e308}},
                     {"normal": {"mean": 1e300, "sd": 1e300}, "truncate": [0, 1e12]},
                     {"pert": [0, 1e308, 1e308]}, {"gamma": {"mean": 1e300, "sd": 1e300}},
                     {"beta": {"a": 1e-300, "b": 1e300}}, {"uniform_int": [0, 10**30]},
                     {"discrete": {"values": [1e308, -1e308], "weights": [1, 1e308]}},
                     {"empirical": [1, 2, math.nan]}, {"empirical": {"file": "/dev/zero"}},
                     {"empirical": {"file": "nope.csv"}}, {"bernoulli": math.nan},
                     {"quantiles": {"p10": 1, "p50": 1, "p90": 1}},
                     {"uniform": [0, 1], "truncate": [math.nan, 1]}]),
    st.integers(1, 3000).map(deep),
    st.just(RawToml("1979-05-27")),
    st.just(RawToml("07:32:00")),
)


@st.composite
def strategy_table(draw: st.DrawFn, name: str, kind_name: str, names: list[str],
                   fast: bool, baseline: bool) -> dict[str, Any]:
    """One [strategies.<name>] table of a kind: its required keys, some optional ones."""
    kind = KINDS[kind_name]
    table: dict[str, Any] = {"kind": kind_name}
    project = PROJECT_KEYS | {"engineering_hours"} if baseline else frozenset()
    for key, words in kind.alternatives.items():
        allowed = [w for w in words if not (fast and w == "simulated")]
        if allowed and key not in project and draw(st.booleans()):
            table[key] = draw(st.sampled_from(allowed))
    serving = table.get("instances") == "simulated"
    for key, field in kind.fields.items():
        if key in project or key in table or (key in SERVING_KEYS and not serving):
            continue
        if field.required or draw(st.integers(0, 3)) == 0:
            table[key] = draw(belief_in(field.domain))
    table.update(_settings_of(draw, kind_name, [n for n in names if n != name], serving))
    if table.get("instances") == "auto":
        table.setdefault("throughput_tokens_per_s", 3000)
    if table.get("compute_per_run") == "estimate":
        table.setdefault("dataset_examples", 5000)
    if "mlops_fte" in table:
        table.setdefault("fte_monthly_cost", 20000)
    if serving:
        table.pop("serving_hours_fraction", None)
        table.setdefault("hardware", "a10g-7b")
    _keep_consistent(kind, table)
    return table


def _keep_consistent(kind: Any, table: dict[str, Any]) -> None:
    """Drop the keys the kind's rules refuse together (the mutations break rules instead)."""
    for key, others, _ in kind.exclusive:
        if key in table and any(o in table for o in others):
            del table[key]
    for key, needed, _ in kind.requires:
        if key in table and needed not in table:
            del table[key]
    for key, cond_key, cond_value in kind.conditional:
        active = cond_key in table if cond_value == "*" else table.get(cond_key) == cond_value
        if active and key not in table and key in kind.fields:
            table[key] = 0.5 if kind.fields[key].domain.hi <= 1 else 1.0


def _settings_of(draw: st.DrawFn, kind_name: str, parts: list[str],
                 serving: bool) -> dict[str, Any]:
    """Words and booleans of a kind: choices, catalog names, routing parts."""
    out: dict[str, Any] = {}
    for key, setting in KINDS[kind_name].settings.items():
        if (key in SERVING_KEYS and not serving) or key == "standalone":
            continue
        if not (setting.required or draw(st.integers(0, 3)) == 0):
            continue
        if setting.choices:
            out[key] = draw(st.sampled_from(setting.choices))
        elif setting.lookup == "strategy":
            out[key] = parts[0] if key == "primary" else parts[-1]
        else:
            out[key] = draw(st.sampled_from(WORDS.get(key, MODELS)[:2]))
    return out


def _study_setting(draw: st.DrawFn, key: str) -> Any:
    if key == "payback_within":
        return [1]
    return {
        "horizon_months": draw(st.sampled_from([1, 2, 12, 36, 600])),
        "samples": 64, "seed": draw(st.integers(0, 2**63 - 1)),
        "sampling": draw(st.sampled_from(["mc", "lhs", "sobol"])),
        "discount_rate": draw(st.sampled_from([0.0, 0.1, 1.0])),
        "criterion": draw(st.sampled_from(["npv", "payback", "cvar"])),
    }.get(key, draw(st.text(max_size=20)))


@st.composite
def study_documents(draw: st.DrawFn, fast: bool = True) -> dict[str, Any]:
    """A study document from the schema: mostly valid, then a few hostile mutations."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    kinds = [draw(st.sampled_from(sorted(k for k in KINDS if k != "routing")))]
    for _ in names[1:]:
        kinds.append(draw(st.sampled_from(sorted(KINDS))))
    for i, k in enumerate(kinds):  # a routing strategy needs two other, non-routing ones
        if k == "routing" and sum(x != "routing" for x in kinds) < 2:
            kinds[i] = "api"
    plain = [n for n, k in zip(names, kinds, strict=True) if k != "routing"]
    study: dict[str, Any] = {"baseline": names[0]}
    for key in STUDY_SETTINGS:
        if key != "baseline" and draw(st.booleans()):
            study[key] = _study_setting(draw, key)
    if "horizon_months" in study:
        study["payback_within"] = [1]
    workload: dict[str, Any] = {}
    for key, field in WORKLOAD.items():
        if field.required or draw(st.booleans()):
            workload[key] = draw(belief_in(field.domain))
    doc: dict[str, Any] = {
        "study": study, "workload": workload,
        "strategies": {n: draw(strategy_table(n, k, plain, fast, i == 0))
                       for i, (n, k) in enumerate(zip(names, kinds, strict=True))}}
    if draw(st.integers(0, 4)) == 0:
        doc["constraints"] = {"p99_latency_ms": draw(st.sampled_from([100, 1e308, -1])),
                              "data_on_premises": draw(st.booleans())}
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        mutate(draw, doc)
    return doc


def _tables(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = [doc]
    for v in doc.values():
        if isinstance(v, dict):
            out += _tables(v)
    return out


def mutate(draw: st.DrawFn, doc: dict[str, Any]) -> None:
    """One hostile change somewhere in the document."""
    tables = [t for t in _tables(doc)]
    table = draw(st.sampled_from(tables))
    how = draw(st.sampled_from(["value", "value", "value", "unknown", "drop", "empty"]))
    keys = list(table)
    if how == "value" and keys:
        table[draw(st.sampled_from(keys))] = draw(HOSTILE)
    elif how == "unknown":
        table[draw(st.text(min_size=1, max_size=12))] = draw(HOSTILE)
    elif how == "drop" and keys:
        del table[draw(st.sampled_from(keys))]
    elif how == "empty" and keys:
        table[draw(st.sampled_from(keys))] = {}


@st.composite
def study_bytes(draw: st.DrawFn, fast: bool = True) -> bytes:
    """TOML text of a document; sometimes garbage or a corrupted text."""
    what = draw(st.sampled_from(["doc"] * 8 + ["garbage", "flipped"]))
    if what == "garbage":
        return draw(st.binary(max_size=200))
    text = toml_document(draw(study_documents(fast))).encode("utf-8", "surrogatepass")
    if what == "flipped" and text:
        data = bytearray(text)
        for _ in range(draw(st.integers(1, 5))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    return text


# -- the property ------------------------------------------------------------------------

def check_outcome(data: bytes, samples: int) -> int:
    """Run ``ftrisk run`` on a study file's bytes; check the contract; return the exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "fuzz.toml"
        study.write_bytes(data)
        out = Path(tmp) / "out"
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["run", str(study), "--out", str(out), "--samples", str(samples),
                         "--quiet"])
        err = stderr.getvalue()
        assert code in (0, 2), f"exit {code}: {err}\n--- study ---\n{data[:3000]!r}"
        assert "Traceback" not in err
        if code == 2:
            assert err.startswith("ftrisk: error: ") and err.count("\n") == 1, err
            assert len(err) < 2000, err[:300]
            assert not out.exists(), "exit 2 left an output folder"
            return code
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"),
                             parse_constant=lambda c: pytest.fail(f"{c} in summary.json"))
        for x in _numbers(summary):
            assert math.isfinite(x), summary
        return code


def _numbers(obj: Any) -> list[float]:
    if isinstance(obj, bool):
        return []
    if isinstance(obj, int | float):
        return [float(obj)]
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _numbers(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in _numbers(v)]
    return []


@FAST
@given(data=study_bytes(), samples=st.sampled_from([1, 2, 3, 10]))
def test_fuzz_study_files(data, samples):
    check_outcome(data, samples)


@pytest.mark.slow
@SOAK
@given(data=study_bytes(fast=False), samples=st.sampled_from([1, 2, 3, 10, 100]))
def test_fuzz_study_files_soak(data, samples):
    check_outcome(data, samples)


# -- the calculators' flags ----------------------------------------------------------------

#: Commands that take only flags (no study), each with its numeric flags and a good value.
CALCULATORS: dict[str, tuple[list[str], dict[str, str]]] = {
    "cost": (["--model", "gpt-4o@2024"], {"--requests-per-day": "5000", "--input-tokens": "500",
                                          "--output-tokens": "200", "--cache-share": "0.2",
                                          "--gpu-hourly": "2", "--throughput": "5000",
                                          "--utilization": "0.3", "--gpus": "2"}),
    "screen": ([], {"--daily-requests": "50000", "--tokens-per-request": "700",
                    "--api-cost-per-1m": "5", "--latency-ms": "300"}),
    "train-cost": (["--method", "full"], {"--model-size": "7", "--examples": "5000",
                                          "--seq-len": "512", "--epochs": "3", "--mfu": "0.4"}),
}
FLAG_TEXT = st.one_of(
    st.sampled_from([repr(x) for x in EXTREMES] + ["1e400", "-1e400", "nan", "-inf", "",
                                                    " ", "abc", "0x10", "1_000", "1e", "٣"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.text(max_size=30),
)


@st.composite
def calculator_argv(draw: st.DrawFn) -> list[str]:
    """A calculator command with a few of its numeric flags set to hostile text."""
    command = draw(st.sampled_from(sorted(CALCULATORS)))
    fixed, numbers = CALCULATORS[command]
    values = dict(numbers)
    for flag in draw(st.lists(st.sampled_from(sorted(numbers)), min_size=1, max_size=3,
                              unique=True)):
        values[flag] = draw(FLAG_TEXT)
    # --flag=value: a value that starts with '-' is not taken for a flag
    return [command, *fixed, *(f"{k}={v}" for k, v in values.items())]


def check_flags_outcome(argv: list[str]) -> int:
    """Run a calculator; exit 0 prints no non-finite figure, exit 2 is one line."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(argv)
        except SystemExit as done:  # argparse's own usage errors
            code = done.code if isinstance(done.code, int) else 1
    err, out = stderr.getvalue(), stdout.getvalue()
    assert code in (0, 2), f"exit {code}: {err}\n--- argv ---\n{argv!r}"
    if code == 2:
        assert err.count("\n") == 1 and "error: " in err and "Traceback" not in err, err
        assert out == "", out
    else:
        assert not re.search(r"\b(nan|inf)\b", out, re.IGNORECASE), f"{argv!r}\n{out}"
    return code


@FLAGS_FAST
@given(argv=calculator_argv())
def test_fuzz_calculator_flags(argv):
    check_flags_outcome(argv)


@pytest.mark.slow
@FLAGS_SOAK
@given(argv=calculator_argv())
def test_fuzz_calculator_flags_soak(argv):
    check_flags_outcome(argv)


def test_a_vanishing_request_rate_prints_no_infinite_per_call_cost():
    # found by the soak run: a GPU's month over 5e-324 requests a day overflows per call
    argv = ["cost", "--model", "gpt-4o@2024", "--requests-per-day=5e-324",
            "--input-tokens=500", "--output-tokens=200", "--gpu-hourly=2",
            "--throughput=5000", "--utilization=0.3", "--gpus=2"]
    assert check_flags_outcome(argv) == 0


def test_the_flag_fuzzer_reaches_both_outcomes():
    assert check_flags_outcome(["train-cost", "--model-size=7", "--examples=5000"]) == 0
    assert check_flags_outcome(["cost", "--model", "gpt-4o", "--requests-per-day=1e400",
                                "--input-tokens=1", "--output-tokens=1"]) == 2
    assert check_flags_outcome(["screen", "--daily-requests=x", "--tokens-per-request=1",
                                "--api-cost-per-1m=1"]) == 2


def test_the_fuzzer_reaches_both_outcomes():
    """The generator is not all garbage nor all valid: a fixed example of each runs."""
    valid = {"study": {"baseline": "frontier", "horizon_months": 12, "payback_within": [1]},
             "workload": {"requests_per_day": {"lognormal": {"p10": 1000, "p90": 5000}},
                          "input_tokens": 500, "output_tokens": 200},
             "strategies": {"frontier": {"kind": "api", "input_price": 5.0,
                                         "output_price": 15.0},
                            "cheap": {"kind": "api", "input_price": 0.5, "output_price": 1.5,
                                      "engineering_hours": {"pert": [10, 20, 40]}}}}
    assert check_outcome(toml_document(valid).encode(), 3) == 0
    valid["workload"]["requests_per_day"] = 1e308
    assert check_outcome(toml_document(valid).encode(), 3) == 2


def test_toml_writer_round_trips_hostile_floats():
    import tomllib

    text = toml_document({"w": {"a": -0.0, "b": math.inf, "c": 5e-324, "d": 10**30}})
    back = tomllib.loads(text)["w"]
    assert math.copysign(1, back["a"]) == -1 and back["b"] == math.inf
    assert back["c"] == 5e-324 and back["d"] == 10**30


def test_documents_cover_every_kind_and_key():
    """The generator draws on the schema: every kind and workload key is reachable."""
    assert set(KINDS) >= {"api", "self_hosted", "hosted_ft", "routing"}
    assert all(isinstance(f, Field) for f in WORKLOAD.values())
