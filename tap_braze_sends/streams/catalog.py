"""The catalogue streams: campaigns and Canvases by name, their details, variations and steps.

Full-table streams (a row per item, upserted on its key): the list is read whole every run,
details only for what changed (dimensions.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar

from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_braze_sends.braze.catalog import CAMPAIGNS, CANVASES, CatalogFamily
from tap_braze_sends.braze.schemas.campaign_catalog import (
    CAMPAIGN_DETAILS_SCHEMA,
    CAMPAIGN_VARIATIONS_SCHEMA,
    CAMPAIGNS_SCHEMA,
)
from tap_braze_sends.braze.schemas.canvas import (
    CANVAS_DETAILS_SCHEMA,
    CANVAS_STEPS_SCHEMA,
    CANVAS_VARIANTS_SCHEMA,
    CANVASES_SCHEMA,
)
from tap_braze_sends.setting_values import parse_bool
from tap_braze_sends.streams.base import QuietAbortStream

Row = dict[str, Any]


class CatalogStream(QuietAbortStream):
    """A stream fed by a catalogue's list or details endpoint (``role``: which rows)."""

    family: ClassVar[CatalogFamily]
    role: ClassVar[str]
    discovered_by: ClassVar[str | None] = None
    """The setting that lists this catalogue anyway (``all_campaigns``): with it on, the
    stream costs nothing more and needs no other permission, so a bare run selects it."""
    replication_key = None
    # Rows are built to the schema already (flatten/); the SDK's conformer also trips on
    # free-form objects (no "properties") such as conversion_behaviors' items.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(
        self, *args: Any, rows: Callable[[CatalogStream], Iterator[Row]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._rows = rows

    @property
    def selected_by_default(self) -> bool:  # type: ignore[override]
        # Off unless the catalog selects them (Meltano's `select: ["*.*"]` does) or the list
        # is read anyway: they cost list and details requests and the campaigns.list /
        # canvas.list permissions, which a key made for the analytics series alone lacks.
        if self.discovered_by is None:
            return False
        return parse_bool(self.discovered_by, self.config.get(self.discovered_by), False, [])

    @property
    def reads_details(self) -> bool:
        return self.role != "list"

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[Row]:
        """Only for the SDK's own per-stream sync (its dry run); sync_all never calls it."""
        return self._rows(self)


class CampaignsStream(CatalogStream):
    """Every campaign /campaigns/list returns: name, tags, last_edited, is_api_campaign."""

    name = "campaigns"
    family = CAMPAIGNS
    role = "list"
    discovered_by = "all_campaigns"
    primary_keys = ("campaign_id",)
    schema = CAMPAIGNS_SCHEMA


class CampaignDetailsStream(CatalogStream):
    """Per campaign, /campaigns/details: dates, state, channels, conversion behaviours, ..."""

    name = "campaign_details"
    family = CAMPAIGNS
    role = "details"
    primary_keys = ("campaign_id",)
    schema = CAMPAIGN_DETAILS_SCHEMA


class CampaignVariationsStream(CatalogStream):
    """Per campaign message variation (the details' ``messages``): channel, name, type, ..."""

    name = "campaign_variations"
    family = CAMPAIGNS
    role = "variations"
    primary_keys = ("campaign_id", "variation_api_id")
    schema = CAMPAIGN_VARIATIONS_SCHEMA


class CanvasesStream(CatalogStream):
    """Every Canvas /canvas/list returns: name, tags, last_edited."""

    name = "canvases"
    family = CANVASES
    role = "list"
    discovered_by = "all_canvases"
    primary_keys = ("canvas_id",)
    schema = CANVASES_SCHEMA


class CanvasDetailsStream(CatalogStream):
    """Per Canvas, /canvas/details: dates, state, channels, tags, teams, description."""

    name = "canvas_details"
    family = CANVASES
    role = "details"
    primary_keys = ("canvas_id",)
    schema = CANVAS_DETAILS_SCHEMA


class CanvasVariantsStream(CatalogStream):
    """Per Canvas variant (the details' ``variants``): name, first_step_ids."""

    name = "canvas_variants"
    family = CANVASES
    role = "variants"
    primary_keys = ("canvas_id", "variant_id")
    schema = CANVAS_VARIANTS_SCHEMA


class CanvasStepsStream(CatalogStream):
    """Per Canvas step (the details' ``steps``): name, type, channels, paths, messages."""

    name = "canvas_steps"
    family = CANVASES
    role = "steps"
    primary_keys = ("canvas_id", "step_id")
    schema = CANVAS_STEPS_SCHEMA
