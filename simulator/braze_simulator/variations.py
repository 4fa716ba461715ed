"""Which message variations a campaign or API campaign has, per channel, with their API ids.

One source for both the analytics series (the ids on each entry) and /campaigns/details (the
keys of `messages`), so the two always join. A variation's id is per channel, as Braze's
message variation ids are: a multi-channel variant has one message (and one id) per channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from braze_simulator.hashing import digest, stable_uuid
from braze_simulator.metrics import CONTROL_GROUP


@dataclass(frozen=True)
class Variation:
    channel: str
    api_id: str
    name: str
    is_control: bool = False


def variation_names(seed: int, entity_id: str, minimum: int = 1) -> list[str]:
    """1 to 3 variant names (at least `minimum`), fixed per entity."""
    count = minimum + digest(seed, "variations", entity_id) % (4 - minimum)
    return [f"Variant {i}" for i in range(1, count + 1)]


@lru_cache(maxsize=4096)
def channel_variations(
    seed: int, entity_id: str, channels: tuple[str, ...], *, minimum: int, has_control: bool
) -> Mapping[str, list[Variation]]:
    """channel -> its variations in series order, the control group (if any) last (cached:
    read it, never change it)."""
    names = variation_names(seed, entity_id, minimum)
    out: dict[str, list[Variation]] = {}
    for channel in channels:
        variations = [
            Variation(channel, stable_uuid(seed, entity_id, "variation", i, channel), name)
            for i, name in enumerate(names)
        ]
        if has_control:
            control_id = stable_uuid(seed, entity_id, "control", channel)
            variations.append(Variation(channel, control_id, CONTROL_GROUP, is_control=True))
        out[channel] = variations
    return out
