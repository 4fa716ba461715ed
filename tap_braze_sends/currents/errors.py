"""What can go wrong reading Currents, each a one-line message for a person."""

from __future__ import annotations


class CurrentsError(Exception):
    """A problem with the bucket or its files: the message names the URL or object."""


class SchemaConflict(CurrentsError):
    """Two schema ids of one event type give a field different types (Braze only ever adds
    optional fields, so this is a breaking change the streams cannot follow)."""
