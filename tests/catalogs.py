"""The catalog a user hands the tap: which streams are selected (built from the tap's own
discovery, as Meltano does; only the selection is the test's)."""

from __future__ import annotations

import json
from typing import Any

from tap_braze_sends.tap import TapBrazeSends


def catalog_selecting(config: dict[str, Any], streams: set[str] | None = None) -> dict:
    """``streams`` selected and every other stream not; None: every stream and every column
    (Meltano's default ``select: ["*.*"]``, which also turns the catalogue streams on)."""
    catalog = TapBrazeSends(config=config, setup_mapper=False).catalog_dict
    for stream in catalog["streams"]:
        chosen = streams is None or stream["tap_stream_id"] in streams
        for entry in stream["metadata"]:
            if streams is None or entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = chosen
    return json.loads(json.dumps(catalog))
