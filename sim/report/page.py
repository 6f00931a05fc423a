"""The HTML page every ftrisk report is built on: self-contained, renders with no network.

The Vega/Vega-Lite/vega-embed JavaScript is inlined (from vl-convert, which ships it), so
the page needs no CDN. Building that bundle takes about a second, so it is cached on disk
per vl-convert and Vega-Lite version.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping, Sequence
from importlib.metadata import version
from typing import Any

import altair as alt
import vl_convert as vlc

from sim.cache import cache_dir
from sim.report.theme import CONFIG

CSS = """
*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#222;line-height:1.45;padding:0 1rem}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.verdict{font-size:1.3rem;line-height:1.4;background:#f3f7ff;border-left:5px solid #3b6fd8;
padding:.9rem 1.1rem;margin:1rem 0}
.figures{display:flex;gap:1rem;margin:1rem 0 1.4rem}
.figure{flex:1 1 0;border:1px solid #dde3ee;border-radius:6px;padding:.7rem .9rem;min-width:0}
.figure .big{font-size:1.9rem;font-weight:600;line-height:1.15}
.figure .what{font-size:.95rem}.figure .sub{font-size:.85rem;color:#666;margin-top:.25rem}
.warning{background:#fff6e5;border-left:5px solid #d98b00;padding:.6rem 1rem;margin:1rem 0}
.answer{color:#555}
table{border-collapse:collapse;font-size:.82rem;margin:.6rem 0;max-width:100%}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:right;vertical-align:top}
th{background:#f6f6f6}td.l,th.l{text-align:left}.muted{color:#777}
table.summary{font-size:.95rem}table.summary td,table.summary th{padding:.35rem .6rem}
table.inputs td:first-child{overflow-wrap:anywhere;min-width:15rem}
table.inputs td:nth-child(2){min-width:9rem}
span.meaning{color:#666;font-size:.95em}table.manifest td{overflow-wrap:anywhere}
span.id{font-size:.78rem;color:#777;font-family:ui-monospace,Menlo,Consolas,monospace}
pre{background:#f8f8f8;padding:.8rem;overflow:auto;font-size:.8rem}
.chart{margin:1rem 0;max-width:100%}.scroll{overflow-x:auto;max-width:100%}
td.mono{font-family:monospace;white-space:pre;letter-spacing:-1px}
details summary{cursor:pointer;margin:.6rem 0}
"""


def vega_lite_version() -> str:
    """The Vega-Lite version altair writes its specs for, as vl-convert names it ("6.4").

    Raises
    ------
    RuntimeError
        When the installed vl-convert-python does not bundle that version.
    """
    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    if major_minor not in vlc.get_vegalite_versions():
        raise RuntimeError(f"vl-convert-python bundles Vega-Lite {vlc.get_vegalite_versions()}"
                           f", not {major_minor} (altair {alt.__version__}); upgrade it")
    return major_minor


def vega_bundle() -> str:
    """The vega-embed JavaScript bundle (with Vega and Vega-Lite), cached on disk."""
    vl_version = vega_lite_version()
    cache = cache_dir() / f"vega-embed-{version('vl-convert-python')}-{vl_version}.js"
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle: str = vlc.javascript_bundle(vl_version=vl_version)  # type: ignore[call-arg]
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        tmp.replace(cache)
    except OSError:
        pass  # a read-only home only costs the second next time
    return bundle


def _themed(spec: Any) -> Any:
    """``spec`` with the pages' lettering (:data:`sim.report.theme.CONFIG`: fonts of at
    least 12 px) wherever its own config says nothing."""
    if not isinstance(spec, dict):
        return spec
    config = {k: dict(v) for k, v in spec.get("config", {}).items()}
    for part, values in CONFIG.items():
        config[part] = {**values, **config.get(part, {})}
    return {**spec, "config": config}


def _script_json(obj: Any) -> str:
    # "</" inside a <script> element would end it early
    return json.dumps(obj).replace("</", "<\\/")


def html_page(title: str, body: str, specs: Mapping[str, Any], *, css: str = CSS) -> str:
    """A self-contained HTML page: the Vega JavaScript inlined (renders offline) and each
    chart spec embedded into ``<div id="chart-KEY">`` of ``body``.

    Examples
    --------
    >>> page = html_page("t", '<div id="chart-a"></div>', {"a": {"mark": "bar"}})  # doctest: +SKIP
    """
    embed = "\n".join(
        f"vegaEmbed('#chart-{k}', {_script_json(_themed(spec))}, "
        "{actions: false, renderer: 'svg'}).catch(console.error);"
        for k, spec in specs.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="generator" content="ftrisk">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{css}</style>
<script type="text/javascript">{vega_bundle()}</script>
</head><body>
<noscript><p>The charts need JavaScript; the tables below do not.</p></noscript>
{body}
<script type="text/javascript">
{embed}
</script>
</body></html>
"""


def table(header: Sequence[str], rows: Sequence[Sequence[Any]],
          left: int | Sequence[int] = 1, mono: Sequence[int] = (), raw: Sequence[int] = (),
          cls: str = "") -> str:
    """An HTML table (escaped); ``left``: the first n columns, or these indices, align left;
    ``mono``: columns in a fixed-width font (text histograms); ``raw``: columns whose cells
    are HTML already (escaped by the caller); ``cls``: the table's class.

    Examples
    --------
    >>> "<td>x&lt;y</td>" in table(["a"], [["x<y"]], left=0)
    True
    """
    lefts = set(range(left)) if isinstance(left, int) else set(left)

    def cls_of(i: int) -> str:
        names = (["l"] if i in lefts else []) + (["mono"] if i in mono else [])
        return f' class="{" ".join(names)}"' if names else ""

    def cell(i: int, c: Any) -> str:
        return str(c) if i in raw else html.escape(str(c))

    head = "".join(f"<th{cls_of(i)}>{html.escape(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{cls_of(i)}>{cell(i, c)}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    tag = f'<table class="{cls}">' if cls else "<table>"
    return (f'<div class="scroll">{tag}<thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            "</table></div>")
