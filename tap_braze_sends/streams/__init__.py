"""Every stream of the tap, generated from its descriptions in their order: catalogues first,
then series."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tap_braze_sends.braze.description import Descriptions
from tap_braze_sends.streams.base import CatalogStream, DescribedStream, SeriesStream

if TYPE_CHECKING:
    from singer_sdk import Tap


def streams_of(tap: Tap, descriptions: Descriptions) -> list[DescribedStream]:
    """One stream per table of every description."""
    streams: list[DescribedStream] = [
        CatalogStream(tap, family, table)
        for family in descriptions.catalogues
        for table in family.tables
    ]
    streams += [
        SeriesStream(tap, series, table)
        for series in descriptions.series
        for table in series.tables
    ]
    return streams


__all__ = ["CatalogStream", "DescribedStream", "SeriesStream", "streams_of"]
