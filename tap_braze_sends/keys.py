"""Identifiers of what the tap extracts, shared by the settings and the files they name."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class SendKey:
    """One send of an API campaign: the partition of the send streams."""

    campaign_id: str
    send_id: str


MAX_ID_LENGTH = 1024
"""Far above any Braze identifier (send ids are at most 64 characters)."""


def id_problem(value: str) -> str | None:
    """Why ``value`` (already stripped) cannot be a Braze identifier; None: it can.

    A control character (a NUL, a line break from a broken quote) or a runaway field would
    pass every other check and fail only at Braze, as a 400 in the middle of the run.
    """
    if len(value) <= MAX_ID_LENGTH and value.isprintable():
        return None  # the usual case, without a loop in Python over 50,000 ids
    if len(value) > MAX_ID_LENGTH:
        return f"is {len(value)} characters long (at most {MAX_ID_LENGTH})"
    for index, char in enumerate(value, start=1):
        if not char.isprintable() and char != " ":
            return f"holds a control character {char!r} (character {index})"
    return None


MAX_NAME_LENGTH = 1024
"""Far above any custom event or product name a person types."""

# Categories that break a line or cannot be encoded: C0/C1 controls (tab, NUL, DEL), lone
# surrogates, and the line and paragraph separators.
_BREAKING = frozenset({"Cc", "Cs", "Zl", "Zp"})


def name_problem(value: str) -> str | None:
    """Why ``value`` (already stripped) cannot be a custom event or product name; None: it can.

    Names are free text: spaces, ``&``, ``/``, ``%``, quotes, any script, emoji (with their
    zero-width joiners) are all kept as they are. Only what breaks a line or a URL is refused.
    """
    if len(value) > MAX_NAME_LENGTH:
        return f"is {len(value)} characters long (at most {MAX_NAME_LENGTH})"
    if value.isprintable():
        return None  # the usual case, without a loop in Python
    for index, char in enumerate(value, start=1):
        if unicodedata.category(char) in _BREAKING:
            return f"holds a control character {char!r} (character {index})"
    return None
