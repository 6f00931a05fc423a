"""Writing the files a user names (``--html``, ``--out``): checked first, written atomically.

Every path a command writes goes through here, so the rules hold everywhere:

- checked before any work (:func:`check_file_target`): a folder, a device or a FIFO where a
  file should go, a parent that is a file, a folder that cannot be written, all raise an
  :class:`~sim.study.errors.OutputError` naming the path and the fix (the CLI: one line, exit 2);
- missing parent folders are created (:func:`make_parents`), and removed again if the write
  fails;
- the text goes to a temporary sibling that replaces the target only when complete
  (:func:`write_text`), so a failure or a signal never leaves a partial file;
- OS errors become words (:func:`os_error_reason`): permission denied, read-only disk, no space.

Temporary names carry the writer's process id (``.NAME.tmp-PID-XXXX``) so that one left by a
killed process is recognised, and removed, by the next writer (:func:`is_alive`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

from sim.study.errors import OutputError

_REASONS = {
    errno.EACCES: ("permission denied", "choose a folder you can write to"),
    errno.EPERM: ("permission denied", "choose a folder you can write to"),
    errno.EROFS: ("the disk is read-only", "choose a folder on a writable disk"),
    errno.ENOSPC: ("no space left on the disk", "free some space or choose another disk"),
    errno.EDQUOT: ("disk quota exceeded", "free some space or choose another disk"),
    errno.EFBIG: ("file too large for this disk", "choose another disk or fewer samples"),
    errno.EISDIR: ("is a folder", "give a file name"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "choose another path"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
    errno.ELOOP: ("too many symbolic links", "choose another path"),
    errno.EEXIST: ("already exists", "choose another path"),
    errno.ENOENT: ("no such file or folder can be made there", "check the path"),
    errno.EBUSY: ("busy (a mount point?)", "choose a folder inside it"),
}

#: errnos that describe the user's disk or permissions, not a bug in ftrisk.
ENVIRONMENT_ERRNOS = frozenset(_REASONS)


def os_error_reason(err: OSError) -> str:
    """``"what went wrong; the fix"`` for an OS error on a user's path.

    Examples
    --------
    >>> import errno
    >>> os_error_reason(PermissionError(errno.EACCES, "Permission denied"))
    'permission denied; choose a folder you can write to'
    >>> os_error_reason(OSError(errno.ENOSPC, "No space left on device"))
    'no space left on the disk; free some space or choose another disk'
    """
    what, fix = _REASONS.get(err.errno or 0, (err.strerror or str(err), "choose another path"))
    return f"{what}; {fix}"


def is_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a process we may not signal counts as alive).

    Examples
    --------
    >>> import os
    >>> is_alive(os.getpid())
    True
    """
    if pid <= 0 or pid == os.getpid():
        return pid > 0
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # another user's process, or a pid we cannot ask about: leave its files
    return True


def temp_name(name: str, kind: str = "tmp") -> str:
    """A sibling name for a temporary (``kind="tmp"``) or set-aside (``"old"``) copy of ``name``.

    Examples
    --------
    >>> import os, re
    >>> bool(re.fullmatch(rf"\\.report\\.html\\.tmp-{os.getpid()}-[0-9a-f]{{8}}",
    ...                   temp_name("report.html")))
    True
    """
    return f".{name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def leftovers(path: Path, kind: str = "tmp") -> list[Path]:
    """Temporary siblings of ``path`` (named by :func:`temp_name`) whose process is gone.

    Also matches the older ``.NAME.tmp-PID`` form without the random part.
    """
    pattern = re.compile(re.escape(f".{path.name}.{kind}-") + r"(\d{1,10})(?:-[0-9a-z_]+)?")
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return []
    return sorted(e for e in entries
                  if (m := pattern.fullmatch(e.name)) and not is_alive(int(m.group(1))))


def nearest_existing(path: Path) -> Path:
    """``path`` itself or its closest ancestor that exists (absolute)."""
    p = Path(os.path.abspath(path))
    while not p.exists() and not p.is_symlink() and p != p.parent:
        p = p.parent
    return p


@contextlib.contextmanager
def os_errors_as_output(flag: str, shown: object) -> Iterator[None]:
    """Turn an OS error inside the block into an OutputError naming ``flag`` and ``shown``.

    Examples
    --------
    >>> import errno
    >>> with os_errors_as_output("--html", "x.html"):
    ...     raise OSError(errno.ENAMETOOLONG, "File name too long")
    Traceback (most recent call last):
    ...
    sim.study.errors.OutputError: --html x.html: the name is too long; choose a shorter path
    """
    try:
        yield
    except OSError as err:
        raise OutputError(flag, shown, os_error_reason(err)) from err


def check_parent(path: Path, *, flag: str, shown: object) -> None:
    """Raise OutputError unless ``path`` can be created: its name (with ftrisk's temporary
    suffix) fits the file system, and the folders above it exist or can be created."""
    anc = nearest_existing(Path(os.path.abspath(path)).parent)
    try:
        name_max = os.pathconf(anc, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    longest = max((len(os.fsencode(part)) for part in Path(path).parts), default=0)
    if longest > name_max or len(os.fsencode(temp_name(Path(path).name, "old"))) > name_max:
        raise OutputError(flag, shown, f"a name on the path is too long ({name_max} bytes "
                          "at most; ftrisk's temporary copy adds about 25); choose a shorter name")
    if not anc.is_dir():
        raise OutputError(flag, shown, f"{anc} is a file, not a folder; choose another path")
    if not os.access(anc, os.W_OK | os.X_OK):
        raise OutputError(flag, shown, f"cannot write in {anc} (permission denied or a "
                          "read-only disk); choose a folder you can write to")


def check_file_target(path: str | Path, *, flag: str = "", shown: object = None,
                      example: str = "page.html") -> None:
    """Raise :class:`~sim.study.errors.OutputError` if a file cannot be written at ``path``.

    Writes nothing: run it before the work whose result goes to ``path``.

    Parameters
    ----------
    path : str or Path
        The file to be written.
    flag, shown : str
        The flag and the value to name in the message (default: ``path`` itself).
    example : str
        A file name suggested when ``path`` is a folder.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> check_file_target(folder, flag="--html")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.study.errors.OutputError: --html /...: is a folder; give a file name, e.g. /.../page.html
    """
    p = Path(path)
    shown = p if shown is None else shown
    with os_errors_as_output(flag, shown):
        if p.is_dir():
            raise OutputError(flag, shown, f"is a folder; give a file name, e.g. {p / example}")
        if p.exists() and not p.is_file():
            raise OutputError(flag, shown, "exists and is not a regular file (a FIFO, socket "
                              "or device); choose another path")
        check_parent(p, flag=flag, shown=shown)


def make_parents(path: str | Path, *, flag: str = "", shown: object = None) -> list[Path]:
    """Create the missing folders above ``path``; return those created, innermost first.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> [p.relative_to(root).as_posix() for p in make_parents(root / "a" / "b" / "f.html")]
    ['a/b', 'a']
    """
    p = Path(os.path.abspath(path))
    missing = []
    q = p.parent
    while not q.exists() and not q.is_symlink() and q != q.parent:
        missing.append(q)
        q = q.parent
    created: list[Path] = []
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            if not d.is_dir():
                remove_empty(created)
                raise OutputError(flag, path if shown is None else shown,
                                  f"cannot create the folder {d}: a file is in the way; "
                                  "choose another path") from None
        except OSError as err:
            remove_empty(created)
            raise OutputError(flag, path if shown is None else shown,
                              f"cannot create the folder {d}: {os_error_reason(err)}") from err
        else:
            created.insert(0, d)
    return created


def remove_empty(folders: list[Path]) -> None:
    """Remove these folders (innermost first) while they are empty; never anything else."""
    for d in folders:
        try:
            d.rmdir()
        except OSError:
            return


def write_text(path: str | Path, text: str, *, flag: str = "", shown: object = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: all of it, or the old file untouched.

    Missing parent folders are created. Any OS error becomes an
    :class:`~sim.study.errors.OutputError` naming the path and the fix, with nothing left behind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> page = pathlib.Path(tempfile.mkdtemp()) / "new" / "page.html"
    >>> write_text(page, "<p>hi</p>")
    >>> page.read_text(), sorted(p.name for p in page.parent.iterdir())
    ('<p>hi</p>', ['page.html'])
    """
    p = Path(path)
    shown = p if shown is None else shown
    check_file_target(p, flag=flag, shown=shown)
    created = make_parents(p, flag=flag, shown=shown)
    for stale in leftovers(p):
        if stale.is_file() and not stale.is_symlink():
            with contextlib.suppress(OSError):
                stale.unlink()
    tmp = p.parent / temp_name(p.name)
    try:
        with open(tmp, "x", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, p)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        remove_empty(created)
        if isinstance(err, OSError):
            what = "" if str(shown) == str(p) else f"cannot write {p}: "
            raise OutputError(flag, shown, what + os_error_reason(err)) from err
        raise
