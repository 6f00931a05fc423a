"""Shared fixtures."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from helpers import LESSON


@pytest.fixture
def lesson_doc() -> dict[str, Any]:
    """A fresh copy of the lesson's configuration as a study document."""
    return copy.deepcopy(LESSON)
