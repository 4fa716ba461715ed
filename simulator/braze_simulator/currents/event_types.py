"""Braze Currents event types and their storage fields, as Braze's event glossary documents
them (braze-docs `_docs/_user_guide/data/braze_currents/event_glossary/`, each event's "Cloud
Storage" tab; summarised in /work/shared/braze-currents.md).

A field is (name, Avro type, required). Required fields are Avro non-null; every other field
is a union with null and a null default, as Braze writes optional fields. The glossary's
"float" is written as an Avro double; its "int" `time` as an Avro int (seconds since the epoch).
"""

from __future__ import annotations

from dataclasses import dataclass

Field = tuple[str, object, bool]


def _fields(spec: str) -> tuple[Field, ...]:
    """`name:type` words, `!` after the type for required; types s, i, l, f, b, [s]."""
    types: dict[str, object] = {
        "s": "string",
        "i": "int",
        "l": "long",
        "f": "double",
        "b": "boolean",
        "[s]": {"type": "array", "items": "string"},
    }
    out = []
    for word in spec.split():
        name, kind = word.split(":")
        required = kind.endswith("!")
        out.append((name, types[kind.rstrip("!")], required))
    return tuple(out)


# The glossary's recurring groups (the order Braze lists them in).
U = "id:s! user_id:s! external_user_id:s time:i! timezone:s app_group_id:s"
CMP = "campaign_id:s campaign_name:s message_variation_id:s message_variation_name:s"
CNV = (
    "canvas_id:s canvas_name:s canvas_variation_id:s canvas_variation_name:s"
    " canvas_step_id:s canvas_step_name:s"
)
DSP = "send_id:s dispatch_id:s"
DEV = "platform:s os_version:s device_model:s device_id:s"
AD = "ad_id:s ad_id_type:s ad_tracking_enabled:b"
ENGAGEMENT = "user_agent:s ip_pool:s esp:s from_domain:s is_amp:b device_class:s device_os:s"
MAIL_CLIENT = "browser:s device_model:s mailbox_provider:s"


@dataclass(frozen=True)
class EventType:
    """One Currents event type: its name as in the files and its storage fields."""

    name: str
    fields: tuple[Field, ...]
    # Fields a later schema of this type adds (optional, null default), as Braze's changelog
    # records (e.g. version 9 added `from_domain` to email.Send).
    added_later: tuple[Field, ...] = ()


def _type(name: str, spec: str, added_later: str = "") -> EventType:
    return EventType(name, _fields(spec), _fields(added_later))


EVENT_TYPES: tuple[EventType, ...] = (
    _type(
        "users.messages.email.Send",
        f"{U} {CMP} {CNV} {DSP} email_address:s! ip_pool:s message_extras:s",
        added_later="from_domain:s",
    ),
    _type(
        "users.messages.email.Open",
        f"{U} {CMP} {CNV} {DSP} email_address:s! machine_open:s {ENGAGEMENT} {MAIL_CLIENT}",
    ),
    _type(
        "users.messages.email.Click",
        f"{U} {CMP} {CNV} {DSP} email_address:s! url:s link_id:s link_alias:s {ENGAGEMENT}"
        f" {MAIL_CLIENT}",
    ),
    _type(
        "users.messages.email.Bounce",
        f"{U} {CMP} {CNV} {DSP} email_address:s! sending_ip:s ip_pool:s bounce_reason:s esp:s"
        " from_domain:s is_drop:b",
    ),
    _type(
        "users.messages.pushnotification.Send",
        f"{U} app_id:s! platform:s! {CMP} {CNV} {DSP} device_id:s {AD} message_extras:s",
    ),
    _type(
        "users.messages.pushnotification.Open",
        f"{U} app_id:s! {CMP} {CNV} canvas_step_message_variation_id:s {DEV} {DSP}"
        f" button_action_type:s button_string:s {AD}",
    ),
    _type(
        "users.messages.sms.Send",
        f"{U} {CMP} {CNV} {DSP} subscription_group_id:s to_phone_number:s category:s"
        " message_extras:s",
    ),
    _type(
        "users.messages.sms.InboundReceive",
        "id:s! user_id:s! external_user_id:s app_group_id:s time:i! user_phone_number:s!"
        " inbound_phone_number:s! subscription_group_id:s action:s! message_body:s!"
        f" media_urls:[s] {CMP} {CNV}",
    ),
    _type("users.messages.webhook.Send", f"{U} {CMP} {CNV} {DSP} message_extras:s"),
    _type(
        "users.messages.inappmessage.Click",
        f"{U} app_id:s! {CMP} {CNV} card_id:s {DEV} button_id:s {DSP} {AD}",
    ),
    _type(
        "users.messages.contentcard.Send",
        f"{U} content_card_id:s! {DSP} {CMP} {CNV} device_id:s message_extras:s",
    ),
    _type(
        "users.campaigns.Conversion",
        "id:s! user_id:s! external_user_id:s app_group_id:s app_id:s time:i! timezone:s"
        " campaign_id:s! campaign_name:s message_variation_id:s! message_variation_name:s"
        " send_id:s conversion_behavior_index:i conversion_behavior:s",
    ),
    _type(
        "users.canvas.Entry",
        f"{U} canvas_id:s! canvas_name:s canvas_variation_id:s! canvas_variation_name:s"
        " in_control_group:b!",
    ),
    _type(
        "users.canvas.exit.MatchedAudience",
        "id:s! user_id:s! external_user_id:s app_group_id:s time:i! canvas_id:s!"
        " canvas_variation_id:s! canvas_step_id:s canvas_step_name:s canvas_api_id:s"
        " canvas_variation_api_id:s canvas_step_api_id:s",
    ),
    _type(
        "users.behaviors.CustomEvent",
        f"{U} app_id:s name:s! properties:s! {DEV} {AD}",
    ),
    _type(
        "users.behaviors.Purchase",
        "id:s! user_id:s! external_user_id:s app_group_id:s app_id:s time:i! product_id:s!"
        f" price:f! currency:s! properties:s! {DEV} {AD}",
    ),
    _type(
        "users.behaviors.app.SessionStart",
        f"id:s! user_id:s! external_user_id:s app_group_id:s app_id:s! time:i! session_id:s! {DEV}",
    ),
    _type(
        "users.behaviors.app.SessionEnd",
        "id:s! user_id:s! external_user_id:s app_group_id:s app_id:s! time:i! session_id:s!"
        f" {DEV} duration:f",
    ),
    _type(
        "users.behaviors.Uninstall",
        "id:s! user_id:s! external_user_id:s app_group_id:s app_id:s! time:i! device_id:s",
    ),
)

BY_NAME: dict[str, EventType] = {t.name: t for t in EVENT_TYPES}


def avro_schema(event_type: EventType, *, evolved: bool = False) -> dict:
    """The writer schema of a file of this type; `evolved` adds the later optional fields."""
    fields = event_type.fields + (event_type.added_later if evolved else ())
    return {
        "type": "record",
        # The record's name is not documented; one Avro name per event type.
        "name": event_type.name.replace(".", "_"),
        "namespace": "com.braze.currents",
        "fields": [
            {"name": n, "type": t}
            if required
            else {"name": n, "type": ["null", t], "default": None}
            for n, t, required in fields
        ],
    }
