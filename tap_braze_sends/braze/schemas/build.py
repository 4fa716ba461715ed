"""Small builders of JSON-schema fragments shared by every stream's schema."""

from __future__ import annotations

from tap_braze_sends.braze.schemas.metrics import metric_type


def nullable(json_type: str, **extra: object) -> dict:
    return {"type": [json_type, "null"], **extra}


def required(json_type: str, **extra: object) -> dict:
    return {"type": [json_type], **extra}


EXTRA_METRICS = {
    "type": ["object", "null"],
    "additionalProperties": True,
    "description": "Values Braze returned that have no typed column (new metrics, channels).",
}


def metric_schema(key_columns: dict[str, dict], metrics: tuple[str, ...]) -> dict:
    properties = dict(key_columns)
    for name in metrics:
        properties[name] = nullable(metric_type(name))
    properties["extra_metrics"] = EXTRA_METRICS
    return {"type": "object", "additionalProperties": False, "properties": properties}
