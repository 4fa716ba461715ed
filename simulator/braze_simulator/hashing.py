"""Stable seeded draws: every simulated number comes from a hash of what it describes.

Python's hash() is salted per process and a shared random stream depends on call order, so
neither would keep the simulator reproducible across processes and under concurrency.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import date, timedelta


def digest(*parts: object) -> int:
    """A stable 64-bit hash of `parts`."""
    text = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def seeded_rng(*parts: object) -> random.Random:
    return random.Random(digest(*parts))


def unit(*parts: object) -> float:
    """A seeded draw in [0, 1) (cheaper than seeding a Random for a single draw)."""
    return (digest(*parts) >> 11) / 2**53


def chance(rate: float, *parts: object) -> bool:
    """A seeded coin that comes up True with probability `rate`."""
    return unit(*parts) < rate


def stable_uuid(*parts: object) -> str:
    raw = hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=raw))


def days_between(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included (empty when last < first)."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
