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
import os
import subprocess
import sys
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


# --- what each step of a run imports (issue 13: the cold start) ----------------------------

#: Libraries a step must not load when it does not use them: scipy.stats (~100 MB and most of
#: a second to import) is for fits, the actuals check and Sobol' designs; altair for pages.
HEAVY = ("scipy.stats", "scipy.optimize", "altair")


def imported_by(code: str) -> set[str]:
    """The top-level-and-below module names loaded by ``code`` in a fresh interpreter that
    imports this checkout."""
    probe = code + "\nimport sys\nprint('\\n'.join(sys.modules))\n"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_the_help_loads_no_numerics():
    loaded = imported_by("from sim.cli import _parser\n_parser().format_help()")
    assert "sim.cli" in loaded  # the probe sees what it imported
    assert {"numpy", "polars", "numba", *HEAVY} & loaded == set()


def test_loading_and_running_a_study_in_process_loads_no_fits_and_no_pages():
    """``load_study`` then the light path ``sim.run(write=False)``: the model (numba) but
    neither scipy.stats nor altair; the fitting names still import on first use."""
    loaded = imported_by(
        "import sim\n"
        "study = sim.load_study('studies/legal_contracts.toml')\n"
        "sim.run(study.replace(samples=256), write=False)")
    assert {"sim.study", "sim.runner", "numba", "polars"} <= loaded
    assert set(HEAVY) & loaded == set()
    loaded = imported_by("from distributions import fit_data, FIT_FAMILIES\n"
                         "from sim.study import derive_workload")
    assert {"distributions.fit", "sim.study.workload_log", "scipy.stats"} <= loaded


def test_a_run_and_its_report_load_no_scipy_stats(tmp_path):
    """``ftrisk run``'s path: the run, its samples file and its report, Sobol' indices
    included (numpy's scrambled Sobol' points, not scipy's engine: its import is 0.6 s and
    44 MiB, an eighth of a 10^6-sample run)."""
    loaded = imported_by(
        "import sim\n"
        "from sim.report.folder import run_to_folder\n"
        "study = sim.load_study('studies/legal_contracts.toml').replace(samples=512)\n"
        f"run_to_folder(study, {str(tmp_path / 'out')!r}, workers=2)\n")
    # the analysis ran (during the run: sim.report.early)
    assert 'id="chart-sobol"' in (tmp_path / "out" / "report.html").read_text()
    assert {"sim.report.run_report", "sim.decision.sobol", "pyarrow.parquet"} <= loaded
    assert "scipy.stats" not in loaded


def test_the_run_does_not_hold_the_pages_modules():
    """``ftrisk run`` imports sim.report.folder to run a study: the pages' modules (altair,
    ~40 MiB) are imported by the report, once the chunks are gone."""
    loaded = imported_by("import sim.report.folder\nfrom sim.commands import run")
    assert "sim.report.folder" in loaded
    assert {"altair", "sim.report.run_report", "sim.report.charts"} & loaded == set()


def test_the_reports_names_are_the_same_whatever_was_imported_first():
    """``page`` and ``sections`` are functions of sim.report.sections that share their
    names with submodules: importing those submodules does not rebind them."""
    code = ("import sim.report.page, sim.report.sections, sim.report.folder\n"
            "from sim.report import page, sections, table, run_to_folder\n"
            "print('kinds:' + ','.join(f'{f.__module__}.{f.__name__}' for f in"
            " (page, sections, table, run_to_folder)))")
    loaded = imported_by(code)
    assert ("kinds:sim.report.sections.page,sim.report.sections.sections,"
            "sim.report.page.table,sim.report.folder.run_to_folder") in loaded
