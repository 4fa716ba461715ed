"""The streams, generated from the descriptions (braze/description.py): a stream describes
itself; the run (tap.sync_all, runtime/orchestrator.py) does the work."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from singer_sdk import Stream
from singer_sdk.exceptions import AbortedSyncExceptionBase, RequestedAbortException
from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_braze_sends.braze.description import CatalogFamily, Row, Series, Table
from tap_braze_sends.config_schema import SPECS
from tap_braze_sends.errors import BrazeError
from tap_braze_sends.setting_values import parse_bool

if TYPE_CHECKING:
    from singer_sdk import Tap

_NOT_SYNC_FAILURES = (BrazeError, AbortedSyncExceptionBase, RequestedAbortException)


class DescribedStream(Stream):
    """A stream that is one table of a description: its name, keys, schema and role."""

    # Rows are built to the schema already (braze/flatten/); conforming them per record only
    # costs, and the SDK's conformer trips on free-form objects (no "properties").
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Tap, table: Table) -> None:
        self.table = table
        super().__init__(tap=tap, schema=dict(table.schema), name=table.stream)
        self.primary_keys = list(table.primary_keys)

    @property
    def role(self) -> str:
        """Which rows of the description's flattener are this stream's."""
        return self.table.role

    @property
    def description(self) -> str:
        return self.table.description

    def column_selected(self, column: str) -> bool:
        """Whether the catalog selects this column (a deselected one costs no request)."""
        return self.mask.get(("properties", column), True)

    def log(self, message: str, *args: Any, level: int = logging.INFO, **kwargs: Any) -> None:
        # The SDK logs "An unhandled error occurred while syncing ..." before re-raising. For
        # an error a person must fix, the tap's one message (TapBrazeSends.invoke) says it
        # all, and a dry run's record limit (--test) is no error at all: that line goes to
        # DEBUG; any other exception keeps it.
        if level >= logging.ERROR and isinstance(sys.exc_info()[1], _NOT_SYNC_FAILURES):
            level = logging.DEBUG
        super().log(message, *args, level=level, **kwargs)

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[Row]:
        """Never called: the tap's engine syncs every stream at once (sync_all), its dry run
        included."""
        msg = f"{self.name} is synced by the tap's engine, not stream by stream"
        raise NotImplementedError(msg)


class SeriesStream(DescribedStream):
    """A stream fed by one analytics series, incremental on the day (``time``)."""

    replication_key = "time"
    is_sorted = False

    def __init__(self, tap: Tap, series: Series, table: Table) -> None:
        self.series = series
        super().__init__(tap, table)

    @property
    def selected_by_default(self) -> bool:  # type: ignore[override]
        if not self.table.selected_by_default or self.series.asked is None:
            return self.table.selected_by_default
        return self.series.asked(_sources(self.config))


class CatalogStream(DescribedStream):
    """A full-table stream fed by a catalogue's list or details (a row per item, upserted on
    its key): the list is read whole every run, details only for what changed."""

    replication_key = None

    def __init__(self, tap: Tap, family: CatalogFamily, table: Table) -> None:
        self.family = family
        super().__init__(tap, table)

    @property
    def selected_by_default(self) -> bool:  # type: ignore[override]
        # Off unless the catalog selects them (Meltano's `select: ["*.*"]` does) or the list
        # is read anyway (the family's discovery setting is on): they cost list and details
        # requests and permissions a key made for the analytics series alone lacks.
        if self.table.selected_by_default:
            return True
        setting = self.family.discovered_by
        if self.role != "list" or setting is None:
            return False
        return parse_bool(setting, self.config.get(setting), False, [])

    @property
    def reads_details(self) -> bool:
        return self.role != "list"


def _sources(config: Mapping[str, Any]) -> SimpleNamespace:
    """The settings that say what to extract, parsed (a bad value counts as not given: the
    config check names it)."""
    return SimpleNamespace(
        **{spec.name: spec.read(config.get(spec.name), []) for spec in SPECS if spec.gives}
    )
