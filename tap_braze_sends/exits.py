"""How a CLI run ends on what a person must fix: one line each, and the exit status, never a
traceback (a bad config, a stream map the SDK cannot apply, a Braze error, a signal)."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator

from singer_sdk.exceptions import ConfigValidationError, MappingError

from tap_braze_sends.errors import BrazeError
from tap_braze_sends.runtime.signals import Stopped


@contextlib.contextmanager
def one_line_errors(logger: logging.Logger) -> Iterator[None]:
    """A bad config, an error a person must fix, or a stop by signal: one line each, and the
    exit status (1, or 128 + the signal), never a traceback."""
    try:
        yield
    except ConfigValidationError as exc:
        for problem in exc.errors:
            logger.error("%s", problem)
        logger.error("Config validation failed")
        sys.exit(1)
    except MappingError as exc:  # a stream map that fails on a record
        logger.error("stream_maps: %s", exc)
        sys.stdout.flush()
        sys.exit(1)
    except BrazeError as exc:
        # Messages are built key-free where they are raised (errors.redact).
        logger.error("%s", exc)
        sys.stdout.flush()
        sys.exit(1)
    except Stopped as exc:
        logger.error(
            "Stopped by %s: the last STATE covers every partition finished before it; "
            "rerun to resume.",
            exc.signal_name,
        )
        sys.stdout.flush()
        sys.exit(128 + exc.signum)


def stream_maps_error(exc: Exception) -> ConfigValidationError:
    cause = str(exc) if isinstance(exc, MappingError) else f"{type(exc).__name__}: {exc}"
    return ConfigValidationError(
        "Config validation failed", errors=[f"stream_maps: singer-sdk cannot apply it ({cause})"]
    )
