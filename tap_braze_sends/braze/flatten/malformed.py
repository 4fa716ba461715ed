"""The one error a parser raises for a body that breaks Braze's documented shape.

A 200 body without that shape is retried (a proxy may have cut it); it lives in a module of
its own so that every flattener can raise it without importing the endpoint descriptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class MalformedBody(ValueError):
    """A 200 body without the documented shape (retried: a proxy may have cut it)."""


def series_days(body: object) -> list[Mapping[str, Any]]:
    """The elements of a ``data_series`` body's ``{"data": [...]}`` list (days or hours)."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not all(isinstance(day, dict) for day in data):
        msg = "no 'data' list of day objects"
        raise MalformedBody(msg)
    return data
