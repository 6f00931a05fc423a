"""``ftrisk fit``: the ranking on the terminal, the value to paste, --html and --into."""

from __future__ import annotations

import math
import re
import shutil
import tomllib

import numpy as np
import polars as pl
import pytest

from distributions import parse
from sim.cli import main
from sim.study import load_study

from helpers import STUDIES


def cli(args, capsys):
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.fixture
def log(tmp_path):
    rng = np.random.default_rng(20240611)
    n = 4000
    frame = pl.DataFrame({
        "tokens_in": rng.lognormal(6.5, 0.6, n),
        "tokens_out": rng.gamma(4.0, 50.0, n),
        "retries": rng.poisson(1.3, n).astype(np.float64),
        "review": rng.beta(2.0, 30.0, n),
        "delta": rng.normal(0.0, 1.0, n),
    })
    path = tmp_path / "log.csv"
    frame.write_csv(path)
    return path, frame


def _value(stdout: str) -> dict:
    line = stdout.strip().splitlines()[-1]
    return tomllib.loads(line)


def _estimates(stdout: str, family: str) -> dict[str, tuple[float, float]]:
    row = next(ln for ln in stdout.splitlines() if ln.startswith(family + " "))
    return {k: (float(v), float(se)) for k, v, se in
            re.findall(r"(\w+)=([-\d.e+]+) ± ([\d.e+-]+)", row)}


def _families(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("family")) + 2
    out = []
    for ln in lines[start:]:
        if not ln or ln.startswith(("ΔAIC", "note", "not fitted")):
            break
        out.append(ln.split()[0])
    return out


@pytest.mark.parametrize(("column", "family", "truth"), [
    ("tokens_in", "lognormal", {"mu": 6.5, "sigma": 0.6}),
    ("tokens_out", "gamma", {"shape": 4.0, "scale": 50.0}),
    ("review", "beta", {"a": 2.0, "b": 30.0}),
    ("retries", "poisson", {"mean": 1.3}),
])
def test_cli_recovers_the_parameters_within_their_se_and_picks_the_family(
        log, capsys, column, family, truth):
    path, _ = log
    code, out, err = cli(["fit", str(path), "--column", column, "--boot", "0"], capsys)
    assert code == 0, err
    assert _families(out)[0] == family
    est = _estimates(out, family)
    for name, value in truth.items():
        got, se = est[name]
        assert abs(got - value) < 4 * se, (name, got, value, se)


def test_the_printed_value_is_the_closed_form_lognormal_fit(log, capsys):
    path, frame = log
    code, out, _ = cli(["fit", str(path), "--column", "tokens_in", "--boot", "0",
                        "--key", "workload.input_tokens"], capsys)
    assert code == 0
    doc = _value(out)
    assert list(doc) == ["input_tokens"]
    dist = parse(doc["input_tokens"], name="input_tokens")
    y = np.log(frame["tokens_in"].to_numpy())
    mu, sigma = y.mean(), y.std()  # the MLE of a lognormal: moments of log x (divide by n)
    q = np.array([0.01, 0.1, 0.5, 0.9, 0.99])
    from scipy.stats import norm

    np.testing.assert_allclose(dist.ppf(q), np.exp(mu + sigma * norm.ppf(q)), rtol=1e-12)


def test_into_writes_the_value_keeping_comments_and_it_loads_back(log, tmp_path, capsys):
    path, frame = log
    study = tmp_path / "study.toml"
    shutil.copy(STUDIES / "legal_contracts.toml", study)
    before = study.read_text()
    code, _, err = cli(["fit", str(path), "--column", "tokens_out", "--boot", "0",
                          "--into", str(study), "--key", "workload.output_tokens"], capsys)
    assert code == 0, err
    after = study.read_text()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
               if a != b]
    assert len(changed) == 1  # one line, same place; every comment and blank line kept
    old, new = changed[0]
    assert new.startswith("output_tokens = { gamma = { mean = ")
    if "#" in old:
        assert new.endswith(old[old.index("#"):].rstrip()) or old.split("#", 1)[1] in new
    x = frame["tokens_out"].to_numpy()
    from scipy import stats

    shape, _, scale = stats.gamma.fit(x, floc=0)
    dist = load_study(study).input("workload.output_tokens").dist
    assert dist.mean == pytest.approx(shape * scale, rel=1e-9)
    assert dist.sd == pytest.approx(math.sqrt(shape) * scale, rel=1e-9)


def test_into_a_new_key_goes_after_the_tables_last_key(log, tmp_path, capsys):
    path, _ = log
    study = tmp_path / "study.toml"
    study.write_text('# a study\n[study]\nbaseline = "a"\n\n[workload]\nrequests_per_day = 100'
                     '  # per day\ninput_tokens = 10\noutput_tokens = 5\n\n# the API\n'
                     '[strategies.a]\nkind = "api"\ninput_price = 1\noutput_price = 2\n')
    code, _, err = cli(["fit", str(path), "--column", "review", "--boot", "0", "--into",
                        str(study), "--key", "strategies.a.review_rate"], capsys)
    assert code == 0, err
    text = study.read_text()
    assert text.startswith('# a study\n[study]\nbaseline = "a"\n\n[workload]\n'
                           "requests_per_day = 100  # per day\n")
    assert re.search(r'output_price = 2\nreview_rate = \{ beta = \{ mean = [\d.e-]+, '
                     r'sd = [\d.e-]+ \} \}\n$', text)
    assert "\n\n# the API\n[strategies.a]\n" in text
    assert load_study(study).input("a.review_rate").dist.mean == pytest.approx(2 / 32, rel=0.05)


@pytest.mark.parametrize(("args", "says"), [
    # a normal can draw negative token counts: the study refuses it, the file stays as it was
    (["--column", "delta", "--key", "workload.input_tokens"], "outside a quantity >= 0"),
    (["--column", "review", "--key", "workload.nope"], "workload.nope: unknown key"),
    (["--column", "review", "--key", "strategies.ghost.review_rate"],
     "no table [strategies.ghost]"),
])
def test_into_errors_leave_the_study_untouched(log, tmp_path, capsys, args, says):
    path, _ = log
    study = tmp_path / "study.toml"
    shutil.copy(STUDIES / "legal_contracts.toml", study)
    before = study.read_bytes()
    code, _, err = cli(["fit", str(path), "--boot", "0", "--into", str(study), *args], capsys)
    assert code == 2
    assert says in err and len(err.strip().splitlines()) == 1
    assert study.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv", "study.toml"]


@pytest.mark.parametrize(("rows", "family", "says"), [
    ([1.0, 2.0, 3.0], "auto", "3 rows; a fit needs at least 20"),
    ([*range(1, 30), None, None], "auto", "2 of 31 rows are empty or NaN (first: row 30)"),
    ([*range(-2, 30)], "lognormal", "lognormal needs values > 0, but 3 of 32 rows are <= 0"),
])
def test_bad_columns_exit_2_with_the_row_count_and_the_fix(tmp_path, capsys, rows, family,
                                                           says):
    path = tmp_path / "d.csv"
    pl.DataFrame({"x": rows}, schema={"x": pl.Float64}).write_csv(path)
    code, out, err = cli(["fit", str(path), "--column", "x", "--family", family], capsys)
    assert code == 2 and out == ""
    assert says in err and len(err.strip().splitlines()) == 1
    assert "d.csv:x" in err


def test_flag_errors(log, capsys):
    path, _ = log
    for args, says in ((["--family", "weibull"], "'weibull' is not a valid family"),
                       (["--into", "s.toml"], "--into needs --key"),
                       (["--boot", "-1"], "--boot -1: must be >= 0"),
                       (["--use", "gamma", "--family", "lognormal"], "'gamma' was not fitted")):
        code, _, err = cli(["fit", str(path), "--column", "tokens_in", *args], capsys)
        assert code == 2 and says in err, err


def test_html_page_has_both_charts_and_the_value(log, tmp_path, capsys):
    path, _ = log
    page = tmp_path / "pages" / "fit.html"
    code, _, err = cli(["fit", str(path), "--column", "retries", "--html", str(page)],
                         capsys)
    assert code == 0, err
    text = page.read_text()
    assert '<meta name="generator" content="ftrisk' in text and "<script src=" not in text
    assert 'id="chart-fit"' in text and 'id="chart-pp"' in text
    assert "poisson" in text and "negative_binomial" in text
