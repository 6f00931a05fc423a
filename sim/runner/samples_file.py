"""Writing and reading samples.parquet in fixed row groups.

The file's layout depends only on the data, never on how the run was chunked: rows are
buffered and written in row groups of exactly :data:`ROW_GROUP` rows (the last shorter), so
the same study and seed give a byte-identical file whatever the chunk size or number of
workers. Readers stream it back one row group at a time, so memory stays bounded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP = 65536


_TYPES = {np.dtype(np.int16): pa.int16(), np.dtype(np.int64): pa.int64(),
          np.dtype(np.float64): pa.float64()}


#: The columns whose minimum and maximum each row group records (parquet's statistics): the
#: sample number's let a reader skip the row groups outside the samples it asks for; a row
#: group of 65,536 random samples spans nearly the whole range of every other column, whose
#: statistics would let it skip none (and took ~15% of the file's writing time).
STATISTICS = ("sample",)


#: The measures whose columns (``<measure>.<strategy>``) of a run's samples may hold nulls:
#: a payback not within the horizon, an ROI with nothing invested. The other columns (the
#: sample number, the inputs, NPV and TCO) never do, and the run writes them as required
#: (non-nullable) columns: no null mask to build, no definition levels to encode, ~17% of
#: the file's writing time.
NULLABLE = frozenset({"payback_month", "payback_months", "roi"})


def nullable(name: str) -> bool:
    """Whether the column ``name`` may hold nulls (see :data:`NULLABLE`).

    Examples
    --------
    >>> nullable("roi.hosted_ft"), nullable("npv.hosted_ft"), nullable("workload.input_tokens")
    (True, False, False)
    """
    return name.partition(".")[0] in NULLABLE


def null_mask(values: np.ndarray) -> np.ndarray | None:
    """Where a column's values are null in samples.parquet: a payback month (int16) of 0,
    not within the horizon, and a NaN; None for a column that holds no nulls (an integer
    one).

    Examples
    --------
    >>> null_mask(np.array([0, 3], np.int16)).tolist(), null_mask(np.arange(2)) is None
    ([True, False], True)
    """
    if values.dtype == np.int16:
        return values == 0
    if values.dtype.kind == "f":
        return np.isnan(values)
    return None


def _array(values: np.ndarray, nulls: bool = True) -> pa.Array:
    """A column as an arrow array, null where :func:`null_mask` says (``nulls``: else
    none). Built from the numpy buffers directly: ``pa.array`` would import pandas (0.3 s
    of a cold start) to ask whether the values are a pandas object."""
    if values.dtype not in _TYPES:
        return pa.array(values)
    mask = null_mask(values) if nulls else None
    data = np.ascontiguousarray(values)
    count = 0 if mask is None else int(np.count_nonzero(mask))
    validity = (None if mask is None or count == 0 else
                pa.py_buffer(np.packbits(~mask, bitorder="little")))
    return pa.Array.from_buffers(_TYPES[values.dtype], data.size,
                                 [validity, pa.py_buffer(data)], null_count=count)


def _table(columns: dict[str, np.ndarray], nulls: Callable[[str], bool] | None = None
           ) -> pa.Table:
    """Columns as an arrow table; ``nulls`` says which may hold nulls (None: all), the
    others are required (non-nullable)."""
    if nulls is None:
        return pa.table({k: _array(v) for k, v in columns.items()})
    fields, arrays = [], []
    for k, v in columns.items():
        may = nulls(k)
        arrays.append(_array(v, may))
        fields.append(pa.field(k, arrays[-1].type, nullable=may))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


class SamplesWriter:
    """Append column blocks; emits row groups of exactly ``row_group`` rows.

    ``nulls`` says which columns may hold nulls (None: every one; a run's file:
    :func:`nullable`); the others are written as required columns, their values as given.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.parquet"
    >>> with SamplesWriter(path) as w:
    ...     w.append({"sample": np.arange(3), "x": np.array([1.0, 2.0, 3.0])})
    >>> import polars as pl
    >>> pl.read_parquet(path)["x"].to_list()
    [1.0, 2.0, 3.0]
    """

    def __init__(self, path: str | Path, *, row_group: int = ROW_GROUP,
                 nulls: Callable[[str], bool] | None = None) -> None:
        self.path = Path(path)
        self.row_group = row_group
        self.nulls = nulls
        self._writer: pq.ParquetWriter | None = None
        self._pending: list[pa.Table] = []
        self._rows = 0

    def append(self, columns: dict[str, np.ndarray]) -> None:
        """Add rows given as equal-length columns (same names and order every time)."""
        table = _table(columns, self.nulls)
        if self._writer is None:
            self._writer = pq.ParquetWriter(
                self.path, table.schema, compression="lz4", use_dictionary=False,
                write_statistics=[c for c in STATISTICS if c in columns],
            )
        self._pending.append(table)
        self._rows += table.num_rows
        while self._rows >= self.row_group:
            self._flush(self.row_group)

    def _flush(self, rows: int) -> None:
        assert self._writer is not None
        table = pa.concat_tables(self._pending)
        self._writer.write_table(table.slice(0, rows), row_group_size=rows)
        rest = table.slice(rows)
        self._pending = [rest] if rest.num_rows else []
        self._rows = rest.num_rows

    def close(self) -> None:
        """Write what is buffered and finish the file."""
        if self._writer is None:
            return
        if self._rows:
            self._flush(self._rows)
        self._writer.close()

    def __enter__(self) -> SamplesWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        elif self._writer is not None:
            # the file is being abandoned (a failed write, a signal): flushing the buffered
            # rows would only fail again and hide the first error
            with contextlib.suppress(Exception):
                self._writer.close()


def release_arrow_memory() -> None:
    """Hand the pages pyarrow's default pool has freed back to the system.

    The pool (mimalloc in the wheels) keeps freed pages for reuse: about 10 MiB once a
    10^6-sample file has been written and its columns read back, under whatever comes
    next (the report).
    """
    pa.default_memory_pool().release_unused()


def frame_of(columns: dict[str, np.ndarray]) -> Any:
    """The polars DataFrame of in-memory columns, with the nulls samples.parquet has (a
    payback month of 0 and NaN floats are null).

    Examples
    --------
    >>> frame_of({"x": np.array([1.0, np.nan]), "m": np.array([3, 0], np.int16)}).to_dicts()
    [{'x': 1.0, 'm': 3}, {'x': None, 'm': None}]
    """
    return pl.from_arrow(_table(columns))


def _floats(array: pa.Array, out: np.ndarray) -> None:
    """Fill ``out`` with a numeric column's values as float64, nulls as NaN, from the arrow
    buffers (``to_numpy`` would import pandas, 0.3 s, for a column with nulls)."""
    if not (pa.types.is_integer(array.type) or pa.types.is_floating(array.type)):
        out[:] = array.to_numpy(zero_copy_only=False)  # not a column ftrisk writes
        return
    dtype = array.type.to_pandas_dtype()
    size = len(array)
    _, data = array.buffers()[:2]
    out[:] = np.frombuffer(data, dtype=dtype, count=size + array.offset)[array.offset:]
    if array.null_count:
        valid = np.unpackbits(np.frombuffer(array.buffers()[0], dtype=np.uint8),
                              count=size + array.offset, bitorder="little")[array.offset:]
        out[valid == 0] = np.nan


def read_column(path: str | Path, name: str) -> np.ndarray:
    """One column of samples.parquet, whole, as float64 (nulls as NaN): the values written,
    bit for bit. Read one row group at a time into one array (memory: the column).

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.parquet"
    >>> with SamplesWriter(path, row_group=2) as w:
    ...     w.append({"x": np.array([1.0, np.nan, 3.0]), "m": np.array([0, 2, 5], np.int16)})
    >>> read_column(path, "x").tolist(), read_column(path, "m").tolist()
    ([1.0, nan, 3.0], [nan, 2.0, 5.0])
    """
    f = pq.ParquetFile(path)
    out = np.empty(f.metadata.num_rows)
    at = 0
    for g in range(f.num_row_groups):
        for array in f.read_row_group(g, columns=[name], use_threads=False).column(0).chunks:
            _floats(array, out[at:at + len(array)])
            at += len(array)
    return out


def read_columns(path: str | Path, columns: Sequence[str], *, rows: int | None = None
                 ) -> dict[str, np.ndarray]:
    """The named columns of the first ``rows`` samples (default all) as float64 arrays,
    nulls as NaN: the values written, bit for bit. Reads one column of one row group at a
    time, and only the row groups it needs.

    A column at a time, not a row group's columns at once: pyarrow decompresses what it
    reads into its own pool, whose pages it keeps, so reading the report's 32,768 rows of
    28 columns a row group at a time raised the process's memory by ~50 MiB, a column at
    a time by ~22 MiB (its output, 7 MiB, included), and took half the time.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.parquet"
    >>> with SamplesWriter(path, row_group=2) as w:
    ...     w.append({"x": np.array([1.0, 2.0, 3.0]), "m": np.array([0, 2, 5], np.int16)})
    >>> {k: v.tolist() for k, v in read_columns(path, ["m", "x"], rows=2).items()}
    {'m': [nan, 2.0], 'x': [1.0, 2.0]}
    """
    f = pq.ParquetFile(path)
    total = f.metadata.num_rows
    n = total if rows is None else max(0, min(rows, total))
    out = {c: np.empty(n) for c in columns}
    for c in columns:
        at, group = 0, 0
        while at < n:
            column = f.read_row_group(group, columns=[c], use_threads=False).column(0)
            take = min(len(column), n - at)
            for array in column.slice(0, take).chunks:
                _floats(array, out[c][at:at + len(array)])
                at += len(array)
            group += 1
    return out


def iter_columns(path: str | Path, columns: Sequence[str]) -> Iterator[dict[str, np.ndarray]]:
    """Yield the named columns one row group at a time, as float arrays (nulls as NaN).

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.parquet"
    >>> with SamplesWriter(path, row_group=2) as w:
    ...     w.append({"x": np.array([1.0, 2.0, 3.0])})
    >>> [b["x"].tolist() for b in iter_columns(path, ["x"])]
    [[1.0, 2.0], [3.0]]
    """
    f = pq.ParquetFile(path)
    for g in range(f.num_row_groups):
        table = f.read_row_group(g, columns=list(columns))
        batch = {}
        for c in columns:
            column = table.column(c)
            batch[c] = out = np.empty(len(column))
            at = 0
            for array in column.chunks:
                _floats(array, out[at:at + len(array)])
                at += len(array)
        yield batch
