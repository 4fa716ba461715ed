"""The one way to keep what Braze returned that fits no typed column: in the row's
``extra_metrics`` object (series rows) or ``extra_fields`` object (dimension rows), under its
own name, as Braze sent it. Nothing Braze returns is dropped."""

from __future__ import annotations

from tap_braze_sends.braze.description import Row

EXTRA_METRICS = "extra_metrics"
EXTRA_FIELDS = "extra_fields"


def add_extra(row: Row, name: str, value: object, column: str = EXTRA_METRICS) -> None:
    """Keep ``value`` under ``name`` in the row's extras ``column`` (created when absent)."""
    extras = row.get(column) or {}
    extras[name] = value
    row[column] = extras
