"""Function-local imports carry their reason (issue 10).

Imports belong at the top of a module. One inside a function defers a module that is slow to
load and not always needed (the commands' implementations, so ``ftrisk --help`` answers at once;
numba's compiled kernels; altair and vl-convert for pages; dask, genai-prices, xlsxwriter when
asked for). Each such import says why in a comment: at the end of its line, on the line before
it, or on the line before the block of consecutive imports it belongs to.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sim", "distributions")


def comment_lines(source: str) -> set[int]:
    """Line numbers that hold a comment."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {t.start[0] for t in tokens if t.type == tokenize.COMMENT}


def local_imports(source: str) -> list[tuple[int, bool]]:
    """``(line, has a reason)`` for each import inside a function of ``source``."""
    tree = ast.parse(source)
    comments = comment_lines(source)
    out: dict[int, bool] = {}
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for body in _bodies(fn):
            reason = False  # a comment before a block of imports covers the whole block
            previous: ast.stmt | None = None
            for stmt in body:
                if isinstance(stmt, ast.Import | ast.ImportFrom):
                    last = stmt.end_lineno or stmt.lineno
                    own = any(n in comments for n in range(stmt.lineno - 1, last + 1))
                    block = isinstance(previous, ast.Import | ast.ImportFrom) and reason
                    reason = own or block
                    out[stmt.lineno] = reason
                previous = stmt
    return sorted(out.items())


def _bodies(fn: ast.AST) -> list[list[ast.stmt]]:
    """Every statement list inside ``fn`` (its body, branches, loops, with and try blocks)."""
    found = []
    for node in ast.walk(fn):
        for name in ("body", "orelse", "finalbody", "handlers"):
            value = getattr(node, name, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                found.append(value)
    return found


def all_local_imports() -> list[tuple[str, int, bool]]:
    """``(file:line, has a reason)`` for every function-local import in sim/ and
    distributions/."""
    rows = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, ok in local_imports(path.read_text()):
                rows.append((f"{path.relative_to(ROOT)}:{line}", line, ok))
    return [(where, line, ok) for where, line, ok in rows]


def test_every_function_local_import_says_why():
    rows = all_local_imports()
    assert rows, "the walk finds the deferred imports (the commands have some)"
    missing = [where for where, _, ok in rows if not ok]
    assert missing == [], ("function-local imports without a one-line reason (a comment on "
                           "the line or the line before): " + ", ".join(missing))


def test_the_check_sees_a_missing_reason():
    source = '''
def light():
    # numba: compiled only once something is drawn
    from a import b
    from c import d
    return b, d


def bare():
    import polars as pl

    return pl


def trailing():
    if True:
        import altair as alt  # heavy: only pages need it
    return alt
'''
    assert local_imports(source) == [(4, True), (5, True), (10, False), (17, True)]
