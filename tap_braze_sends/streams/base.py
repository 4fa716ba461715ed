"""The base of every stream: a stream describes itself; the run (tap.sync_all) does the work."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar

from singer_sdk import Stream
from singer_sdk.exceptions import AbortedSyncExceptionBase, RequestedAbortException
from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_braze_sends.braze.endpoints import SeriesEndpoint
from tap_braze_sends.errors import BrazeError

_NOT_SYNC_FAILURES = (BrazeError, AbortedSyncExceptionBase, RequestedAbortException)

Row = dict[str, Any]


class QuietAbortStream(Stream):
    """A stream whose SDK-driven sync does not log an expected stop as an error."""

    def log(self, message: str, *args: Any, level: int = logging.INFO, **kwargs: Any) -> None:
        # The SDK logs "An unhandled error occurred while syncing ..." before re-raising. For
        # an error a person must fix, the tap's one message (TapBrazeSends.invoke) says it
        # all, and a dry run's record limit (--test) is no error at all: that line goes to
        # DEBUG; any other exception keeps it.
        if level >= logging.ERROR and isinstance(sys.exc_info()[1], _NOT_SYNC_FAILURES):
            level = logging.DEBUG
        super().log(message, *args, level=level, **kwargs)


class BrazeStream(QuietAbortStream):
    """A stream fed by one Braze endpoint: which one, and which of its rows (``role``)."""

    endpoint: ClassVar[SeriesEndpoint]
    role: ClassVar[str]
    """Which rows of the endpoint's flattener are this stream's (``day``, ``message``, ...)."""

    replication_key = "time"
    is_sorted = False
    # Rows are built to the schema already (flatten/); conforming them per record only costs.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(
        self,
        *args: Any,
        partitions: Callable[[BrazeStream], list[dict[str, str]]],
        rows: Callable[[BrazeStream, Mapping[str, Any]], Iterator[Row]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._partitions_of = partitions
        self._rows = rows

    # The two methods below serve only the SDK's own per-stream sync (its dry run: --test,
    # the SDK's built-in tests); the tap's sync_all plans and fetches every stream at once.

    @property
    def partitions(self) -> list[dict[str, str]]:
        return self._partitions_of(self)

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[Row]:
        return self._rows(self, context or {})
