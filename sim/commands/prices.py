"""``ftrisk prices [--filter X]``: the price catalog (API models, GPUs, hosted training)."""

from __future__ import annotations

import argparse

from sim.commands import EXIT_OK

NAME = "prices"
ORDER = 60
HELP = "list the price catalog: API models, GPU hours, hosted training"
DESCRIPTION = ("List the prices studies can refer to by name (model = \"gpt-4o\", gpu = "
               "\"a10g\", training_provider = \"openai\"). API prices: genai-prices' bundled "
               "data plus the dated figures of the source documents (<model>@2024); GPU and "
               "training prices: ftrisk's own dated files. '*' marks fields inferred from a "
               "vendor convention (cached input = 10%, batch = 50%).")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk prices``."""
    p.add_argument("--filter", help="only entries whose name or provider contains this text")
    p.add_argument("--kind", choices=["api", "gpu", "training", "all"], default="all",
                   help="which table to list (default: all)")


def run(args: argparse.Namespace) -> int:
    """Print the catalog tables."""
    from sim.display import text_table
    from sim.study import catalog

    needle = (args.filter or "").lower()
    if args.kind in ("api", "all"):
        rows = []
        for p in catalog.list_api_prices(args.filter):
            def star(field: str, value: float, p: catalog.ApiPrice = p) -> str:
                return f"{value:g}{'*' if field in p.inferred else ''}"
            rows.append([p.model, p.provider, f"{p.input:g}", f"{p.output:g}",
                         star("cached_input", p.cached_input), star("batch_input", p.batch_input),
                         star("batch_output", p.batch_output), p.checked])
        print("API models ($ per 1M tokens)")
        if rows:
            print(text_table(["model", "provider", "input", "output", "cached in", "batch in",
                              "batch out", "checked"], rows, left=(0, 1, 7)))
        else:
            print("  (no API model matches; try a shorter --filter)")
        if not args.filter:
            print("  (OpenAI, Anthropic and Google shown; --filter searches all providers)")
        print()
    if args.kind in ("gpu", "all"):
        rows = [[g.gpu, f"{g.memory_gb:g}", f"{g.on_demand_hourly:.2f}",
                 f"{g.spot_hourly:.2f}{'*' if g.spot_inferred else ''}", g.checked, g.source]
                for g in catalog.gpu_prices().values() if needle in g.gpu]
        print("GPUs ($ per GPU-hour)")
        print(text_table(["gpu", "GB", "on demand", "spot", "checked", "source"], rows,
                         left=(0, 4, 5)) if rows else "  (no GPU matches)")
        print()
    if args.kind in ("training", "all"):
        rows = [[t.provider, f"{t.price_per_1m:g}", f"{t.low:g}-{t.high:g}", t.checked,
                 t.source] for t in catalog.training_prices().values() if needle in t.provider]
        print("Hosted fine-tuning ($ per 1M training tokens)")
        print(text_table(["provider", "price", "range", "checked", "source"], rows,
                         left=(0, 3, 4)) if rows else "  (no provider matches)")
    return EXIT_OK
