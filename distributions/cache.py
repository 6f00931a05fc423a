"""Where ftrisk keeps on disk what it can rebuild: ``$FTRISK_CACHE_DIR``, else
``$XDG_CACHE_HOME/ftrisk`` (default ``~/.cache/ftrisk``). A read-only or missing cache
only costs the work next time. (:mod:`sim.cache` re-exports :func:`cache_dir`.)"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    """The cache folder (or a sub-folder of it); not created here.

    Examples
    --------
    >>> cache_dir("serving").name
    'serving'
    """
    explicit = os.environ.get("FTRISK_CACHE_DIR")
    if explicit:
        return Path(explicit, *parts)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base, "ftrisk", *parts)
