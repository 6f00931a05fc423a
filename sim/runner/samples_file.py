"""Writing and reading samples.parquet in fixed row groups.

The file's layout depends only on the data, never on how the run was chunked: rows are
buffered and written in row groups of exactly :data:`ROW_GROUP` rows (the last shorter), so
the same study and seed give a byte-identical file whatever the chunk size or number of
workers. Readers stream it back one row group at a time, so memory stays bounded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP = 65536


def _array(values: np.ndarray) -> pa.Array:
    if values.dtype == np.int16:  # payback month: 0 means "not within the horizon" -> null
        return pa.array(values, mask=values == 0, type=pa.int16())
    if values.dtype.kind == "f":
        return pa.array(values, mask=np.isnan(values), type=pa.float64())
    return pa.array(values)


class SamplesWriter:
    """Append column blocks; emits row groups of exactly ``row_group`` rows.

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

    def __init__(self, path: str | Path, *, row_group: int = ROW_GROUP) -> None:
        self.path = Path(path)
        self.row_group = row_group
        self._writer: pq.ParquetWriter | None = None
        self._pending: list[pa.Table] = []
        self._rows = 0

    def append(self, columns: dict[str, np.ndarray]) -> None:
        """Add rows given as equal-length columns (same names and order every time)."""
        table = pa.table({k: _array(v) for k, v in columns.items()})
        if self._writer is None:
            self._writer = pq.ParquetWriter(
                self.path, table.schema, compression="lz4", use_dictionary=False,
                write_statistics=True,
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


def frame_of(columns: dict[str, np.ndarray]) -> Any:
    """The polars DataFrame of in-memory columns, with the nulls samples.parquet has (a
    payback month of 0 and NaN floats are null).

    Examples
    --------
    >>> frame_of({"x": np.array([1.0, np.nan]), "m": np.array([3, 0], np.int16)}).to_dicts()
    [{'x': 1.0, 'm': 3}, {'x': None, 'm': None}]
    """
    import polars as pl  # the run's caller asks for a frame: polars only then

    return pl.from_arrow(pa.table({k: _array(v) for k, v in columns.items()}))


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
        yield {
            c: table.column(c).to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
            for c in columns
        }
