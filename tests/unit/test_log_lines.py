"""The log-line helper the CLI tests assert with: only the tap's own loggers count."""

from __future__ import annotations

from conftest import LogLine, log_lines, tap_log_lines

STDERR = """\
/venv/lib/python3.11/site-packages/singer_sdk/x.py:12: DeprecationWarning: WARNING soon gone
  warnings.warn(
2026-03-31 10:00:00,001 | WARNING  | singer_sdk.helpers.x           | Retrying is deprecated
2026-03-31 10:00:00,002 | INFO     | tap-braze-sends                | Beginning sync
2026-03-31 10:00:00,003 | WARNING  | tap-braze-sends.send_analytics | No data for send-0003
2026-03-31 10:00:00,004 | ERROR    | tap_braze_sends.progress       | Giving up: first line
second line
2026-03-31 10:00:00,005 | WARNING  | tap_braze_sendsX               | not ours: another package
"""


def test_log_lines_parse_records_and_join_continuations() -> None:
    records = log_lines(STDERR)
    assert [r.logger for r in records] == [
        "singer_sdk.helpers.x",
        "tap-braze-sends",
        "tap-braze-sends.send_analytics",
        "tap_braze_sends.progress",
        "tap_braze_sendsX",
    ]
    assert records[3] == LogLine(
        "ERROR", "tap_braze_sends.progress", "Giving up: first line\nsecond line"
    )


def test_tap_log_lines_keep_only_the_taps_loggers() -> None:
    assert [r.message for r in tap_log_lines(STDERR)] == [
        "Beginning sync",
        "No data for send-0003",
        "Giving up: first line\nsecond line",
    ]
    assert [r.message for r in tap_log_lines(STDERR, "WARNING")] == ["No data for send-0003"]
