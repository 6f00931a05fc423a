"""The price catalog: reference prices, inferred fields, GPUs, training; studies naming entries."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sim.cli import main
from sim.costs.calculator import api_costs
from sim.study import catalog, genai, study_from_dict

from helpers import ROOT, write_toml


def test_reference_prices_from_the_lesson():
    p = catalog.api_price("gpt-4o@2024")
    assert (p.input, p.output) == (5.0, 15.0)
    assert p.cached_input == 0.5 and p.batch_input == 2.5 and p.batch_output == 7.5
    assert set(p.inferred) == {"cached_input", "batch_input", "batch_output"}
    assert p.checked == "2024"
    for name, (i, o) in {"gpt-3.5-turbo@2024": (0.5, 1.5), "claude-3.5-sonnet@2024": (3, 15),
                         "claude-3-haiku@2024": (0.25, 1.25)}.items():
        q = catalog.api_price(name)
        assert (q.input, q.output) == (i, o)


def test_genai_prices_lookup_works_offline():
    p = catalog.api_price("gpt-4o")
    assert p.input > 0 and p.output > p.input
    assert p.provider == "openai"
    assert "genai-prices" in p.source


def test_unknown_model_suggests():
    with pytest.raises(KeyError, match="did you mean"):
        catalog.api_price("gpt-4oo@2024")


def test_gpu_and_training_prices():
    assert catalog.gpu_price("a10g").on_demand_hourly == 1.03
    assert catalog.gpu_price("a10g").spot_inferred
    assert catalog.gpu_price("a100_40g").on_demand_hourly * 720 == pytest.approx(1440)
    assert catalog.training_price("openai").price_per_1m == 8.0
    t = catalog.training_price("together")
    assert (t.low, t.high) == (1.0, 3.0)
    with pytest.raises(KeyError, match="known: a10g"):
        catalog.gpu_price("tpu")


def test_calculator_full_costs():
    rows = api_costs(catalog.api_price("gpt-4o@2024"), 50_000, 500, 200, cache_share=0.5)
    std, cached, batch = rows
    assert std.per_call == pytest.approx(0.0055)
    assert std.per_day == pytest.approx(275.0)
    assert std.per_month == pytest.approx(8250.0)
    assert std.per_year == pytest.approx(99_000.0)
    assert cached.per_month == pytest.approx(50_000 * 30 * (250 * 5 + 250 * 0.5 + 200 * 15) / 1e6)
    assert batch.per_month == pytest.approx(8250.0 / 2)


def test_study_takes_prices_from_the_catalog(lesson_doc):
    f = lesson_doc["strategies"]["frontier"]
    del f["input_price"], f["output_price"]
    f["model"] = "gpt-4o@2024"
    sh = lesson_doc["strategies"]["self_hosted_7b"]
    sh["gpu"] = "a10g"
    sh["gpus_per_instance"] = 2
    del sh["gpu_hourly"]
    study = study_from_dict(lesson_doc)
    price = study.input("frontier.input_price")
    assert price.dist.mean == 5.0
    assert "catalog gpt-4o@2024" in price.note and not price.is_default
    assert study.input("self_hosted_7b.gpu_hourly").dist.mean == 1.03
    # explicit values win over the catalog
    f["input_price"] = 4.0
    assert study_from_dict(lesson_doc).input("frontier.input_price").dist.mean == 4.0


def test_unknown_catalog_name_in_a_study(tmp_path, capsys, lesson_doc):
    lesson_doc["strategies"]["frontier"]["model"] = "gpt-5o@2024"
    path = write_toml(tmp_path / "s.toml", lesson_doc)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "strategies.frontier.model: 'gpt-5o@2024' is not in the price catalog" in err
    assert not (tmp_path / "o").exists()


def test_cached_price_factor_is_the_cached_price_over_the_input_price():
    # reference entry: cached input inferred at 10% of $5.00
    p = catalog.api_price("gpt-4o@2024")
    assert p.cached_factor == pytest.approx(0.5 / 5.0)
    assert p.batch_discount == pytest.approx(1 - 2.5 / 5.0)
    # genai-prices entry with a published cache-read price ($0.30 against $3.00 input)
    from genai_prices import data_snapshot

    _, model = data_snapshot.get_snapshot().find_provider_model("claude-3-5-sonnet", None,
                                                                 None, None)
    listed = model.prices if not isinstance(model.prices, list) else model.prices[0].prices
    q = catalog.api_price("claude-3-5-sonnet")
    assert "cached_input" not in q.inferred
    assert q.cached_factor == pytest.approx(float(listed.cache_read_mtok)
                                            / float(listed.input_mtok))
    assert q.cached_factor < 1  # a cache hit is cheaper than a miss


def test_study_prices_cached_tokens_from_the_catalog(lesson_doc):
    from sim import evaluate, median_values

    f = lesson_doc["strategies"]["frontier"]
    del f["input_price"], f["output_price"]
    f.update(model="gpt-4o@2024", review_rate=0.0)
    lesson_doc["workload"]["cache_share"] = 0.5
    study = study_from_dict(lesson_doc)
    assert study.input("frontier.cached_price_factor").dist.mean == pytest.approx(0.1)
    out = evaluate(study, median_values(study), 1)
    # 1.5M requests a month x (500 tokens x $5 x (0.5 + 0.5 x 0.1) + 200 x $15) / 1e6
    assert out["frontier"].tco[0] == pytest.approx(36 * 1.5e6 * (500 * 5 * 0.55 + 3000) / 1e6)


# --- genai-prices rows kept on disk (issue 13: a study load without importing genai-prices) ---

GENAI_REFS = ("gpt-4o", "ft:gpt-4o-mini", "anthropic/claude-3-5-haiku-latest")


def test_a_stored_genai_row_equals_the_one_read_from_genai_prices(tmp_path, monkeypatch):
    monkeypatch.setenv("FTRISK_CACHE_DIR", str(tmp_path))
    genai._stored.cache_clear()
    first = {ref: genai.genai_price(ref) for ref in GENAI_REFS}
    assert genai.cache_file().is_relative_to(tmp_path)
    assert genai.cache_file().is_file()
    genai._stored.cache_clear()  # a new process: the rows come back from the file
    again = genai._stored()
    assert set(again) == set(GENAI_REFS)
    for ref in GENAI_REFS:
        assert again[ref] == first[ref] == genai.read_price(ref)  # tuples, not lists
        assert genai.genai_price(ref) is again[ref]
    assert again["ft:gpt-4o-mini"].inferred == ("cached_input",)  # batch tier published
    genai._stored.cache_clear()


def test_an_unreadable_cache_file_is_read_again_from_genai_prices(tmp_path, monkeypatch):
    monkeypatch.setenv("FTRISK_CACHE_DIR", str(tmp_path))
    genai._stored.cache_clear()
    genai.cache_file().parent.mkdir(parents=True)
    genai.cache_file().write_text('{"gpt-4o": {"model": "gpt-4o"}}', encoding="utf-8")
    assert genai._stored() == {}
    assert genai.genai_price("gpt-4o") == genai.read_price("gpt-4o")
    genai._stored.cache_clear()


def test_the_cache_file_is_per_genai_prices_version_and_per_code(monkeypatch):
    name = genai.cache_file().name
    assert name.startswith(f"genai-prices-{genai.genai_version()}-")
    assert len(name) == len(f"genai-prices-{genai.genai_version()}-.json") + 16
    monkeypatch.setattr(genai, "_CODE", ("genai.py", "providers.py"))  # other code, other file
    assert genai.cache_file().name != name


def test_a_second_study_load_does_not_import_genai_prices(tmp_path):
    code = ("import sys\nfrom sim.study import load_study\n"
            "load_study('studies/legal_contracts.toml')\n"
            "print('genai_prices' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=str(ROOT), FTRISK_CACHE_DIR=str(tmp_path))
    seen = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           cwd=ROOT, env=env, timeout=120, check=True).stdout.split()
            for _ in range(2)]
    assert seen == [["True"], ["False"]]
