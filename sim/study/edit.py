"""Writing one value into a study file, keeping its comments and layout (``fit --into``).

The file is edited with tomlkit, which keeps every comment, blank line and the order of
keys; only the value of the named key changes (a comment at the end of its line stays), or
the key is added after the last key of its table. The edited text is validated as a study
(the checks :func:`~sim.study.loader.load_study` makes, under the file's own name) before
it replaces the file, atomically (a temporary sibling renamed over it, with the file's
permissions), so an invalid value or a failed write leaves the file exactly as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.items

from sim.study.errors import StudyError
from sim.study.loader import study_from_dict
from sim.study.types import Study

__all__ = ["check_study_key", "set_study_value"]


def _read(path: Path, flag: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StudyError(str(path), "", f"{flag}: file not found; check the path") from None
    except IsADirectoryError:
        raise StudyError(str(path), "", f"{flag}: is a folder, not a study file") from None
    except UnicodeDecodeError:
        raise StudyError(str(path), "", "is not UTF-8 text; save it as UTF-8 TOML") from None
    except OSError as err:
        raise StudyError(str(path), "", f"cannot be read ({err.strerror})") from None


def _parse(text: str, file: str) -> Any:
    try:
        return tomlkit.parse(text)
    except Exception as err:  # tomlkit's parse errors share no public base class
        raise StudyError(file, "", f"is not valid TOML ({err}); fix the syntax") from None


def _parent(doc: Any, key: str, file: str) -> tuple[Any, str]:
    """The table holding ``key`` (dotted) and the key's last part."""
    parts = key.split(".")
    if len(parts) < 2 or not all(parts):
        raise StudyError(file, f"--key {key}", "must name a key inside a table, e.g. "
                         "workload.input_tokens or strategies.frontier.review_rate")
    node = doc
    for depth, part in enumerate(parts[:-1]):
        if not hasattr(node, "get") or part not in node:
            where = ".".join(parts[: depth + 1])
            raise StudyError(file, f"--key {key}", f"the study has no table [{where}]; add it "
                             "first, or check the key")
        node = node[part]
    if not hasattr(node, "get"):
        raise StudyError(file, f"--key {key}", f"{'.'.join(parts[:-1])} is a value, not a table")
    current = node.get(parts[-1])
    if hasattr(current, "get") and not _is_inline(current):
        raise StudyError(file, f"--key {key}", f"names the table [{key}], not a value; name one "
                         "of its keys")
    return node, parts[-1]


def _is_inline(item: Any) -> bool:
    return isinstance(item, tomlkit.items.InlineTable)


def check_study_key(path: str | Path, key: str) -> None:
    """Raise :class:`StudyError` unless ``path`` is a TOML file with a table for ``key``.

    Run it before the work whose result is written with :func:`set_study_value`.

    Examples
    --------
    >>> check_study_key("studies/lesson_parity.toml", "workload")  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    sim.study.errors.StudyError: studies/lesson_parity.toml: --key workload: must name a key ...
    """
    p = Path(path)
    _parent(_parse(_read(p, "--into"), str(path)), key, str(path))


def _insert(table: Any, name: str, value: Any) -> None:
    """Set ``name``; a new key goes after the table's last key (before its trailing blank
    lines and comments, which belong to what follows)."""
    if name in table:
        old = table[name]
        value.trivia.comment_ws = old.trivia.comment_ws
        value.trivia.comment = old.trivia.comment
        table[name] = value
        return
    value.trivia.trail = "\n"
    body = table.value.body if hasattr(table, "value") else table.body
    keyed = [i for i, (k, _) in enumerate(body) if k is not None]
    if keyed and keyed[-1] + 1 < len(body):
        container = table.value if hasattr(table, "value") else table
        with contextlib.suppress(ValueError):
            container._insert_at(keyed[-1] + 1, name, value)
            return
    table.add(name, value)


def set_study_value(path: str | Path, key: str, value: str) -> Study:
    """Set ``key`` of the study file ``path`` to ``value`` (inline TOML), in place.

    Parameters
    ----------
    path : str or Path
        The study file.
    key : str
        Dotted key, e.g. ``workload.input_tokens``; its table must exist.
    value : str
        The new value as inline TOML, e.g. ``{ gamma = { mean = 812.5, sd = 301.2 } }``.

    Returns
    -------
    Study
        The edited study, validated.

    Raises
    ------
    StudyError
        For a missing or invalid file, a key whose table is missing, or a value the study
        does not accept (the file is left untouched).
    OSError
        When the file cannot be replaced (it is left untouched).

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = shutil.copy("studies/lesson_parity.toml", p)  # doctest: +SKIP
    >>> set_study_value(p, "workload.input_tokens", "{ gamma = { mean = 500, sd = 90 } }"
    ...                 ).input("workload.input_tokens").dist.mean  # doctest: +SKIP
    500.0
    """
    p = Path(path)
    file = str(path)
    doc = _parse(_read(p, "--into"), file)
    table, name = _parent(doc, key, file)
    try:
        item = tomlkit.parse(f"v = {value}")["v"]
    except Exception as err:
        raise StudyError(file, key, f"the value {value!r} is not TOML ({err})") from None
    _insert(table, name, item)
    text = tomlkit.dumps(doc)
    raw = text.encode("utf-8")
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:  # tomlkit wrote what tomllib cannot read
        raise StudyError(file, key, f"the edit would not be valid TOML ({err})") from None
    study = study_from_dict(parsed, file=file, sha256=hashlib.sha256(raw).hexdigest(),
                            default_name=p.stem)
    _replace(p, raw)
    return study


def _replace(path: Path, raw: bytes) -> None:
    """Write ``raw`` over ``path`` atomically, keeping its permission bits."""
    target = path.resolve()
    mode = stat.S_IMODE(target.stat().st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.tmp-{os.getpid()}-",
                               dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
