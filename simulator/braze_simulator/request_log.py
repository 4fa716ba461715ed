"""What the simulator saw: request statistics, the request log and each request's attempts.

The log never holds a credential: query parameters that could carry one are left out.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

# Query parameters that could carry a credential; never recorded in the request log.
_SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "authorization", "token"})


class RequestLog:
    """Counters and log entries, shared by the server's threads."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._attempts: Counter[str] = Counter()
        self._stats = self._empty_stats()

    @staticmethod
    def _empty_stats() -> dict[str, Any]:
        return {"requests": 0, "by_path": Counter(), "by_status": Counter(), "faults": Counter()}

    def stats(self) -> dict[str, Any]:
        """{"requests": n, "by_path": {path: n}, "by_status": {status: n}, "faults": {kind: n}}."""
        with self._lock:
            s = self._stats
            return {
                "requests": s["requests"],
                "by_path": dict(s["by_path"]),
                "by_status": dict(s["by_status"]),
                "faults": dict(s["faults"]),
            }

    def reset(self) -> None:
        """Clear counters, the request log and fault attempt counters (so a rerun meets the
        same faults again)."""
        with self._lock:
            self._stats = self._empty_stats()
            self.entries.clear()
            self._attempts.clear()

    def record(
        self,
        path: str,
        params: dict[str, str],
        status: int | None,
        fault: str | None,
        began: float,
    ) -> None:
        safe = {k: v for k, v in params.items() if k.lower() not in _SECRET_PARAMS}
        ended = time.monotonic()
        with self._lock:
            self._stats["requests"] += 1
            self._stats["by_path"][path] += 1
            if status is not None:
                self._stats["by_status"][status] += 1
            if fault is not None:
                self._stats["faults"][fault] += 1
            # When the request arrived and its answer was ready (time.monotonic()): whether
            # requests overlapped, and at what pace they came.
            self.entries.append(
                {"path": path, "params": safe, "status": status, "began": began, "ended": ended}
            )

    def next_attempt(self, key: str) -> int:
        """How many times ``key`` has been asked, this time included (faults depend on it)."""
        with self._lock:
            self._attempts[key] += 1
            return self._attempts[key]
