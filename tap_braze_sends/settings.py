"""Validation of the tap's config into typed settings, before any request is made.

Pure but for reading the file that ``sends_file`` names. Every problem is reported at once,
each naming the setting and the bad value, so that a scheduled job fails with a message a
person can act on. The API key's value is never echoed.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tap_braze_sends.keys import SendKey, id_problem
from tap_braze_sends.runtime.redaction import key_problem, redact
from tap_braze_sends.runtime.windows import MAX_WINDOW_DAYS
from tap_braze_sends.sends_file import SendsFileError, read_sends_file
from tap_braze_sends.setting_values import (
    is_blank,
    parse_bool,
    parse_date,
    parse_ids,
    parse_int,
    parse_path,
    parse_seconds,
    parse_shard,
    shown,
)

__all__ = ["ConfigError", "SendKey", "Settings", "parse_settings"]

DEFAULT_LOOKBACK_DAYS = 14
MAX_LOOKBACK_DAYS = 3650
"""Ten years: more is a typo (Braze keeps no analytics that old), and dates would overflow."""
MAX_RETRIES = 100
DEFAULT_WINDOW_DAYS = MAX_WINDOW_DAYS
DEFAULT_START_OFFSET_DAYS = 14
DEFAULT_REQUEST_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 8
DEFAULT_MAX_RATE_LIMIT_WAIT = 900.0
DEFAULT_MAX_PARALLEL_REQUESTS = 8
MAX_PARALLEL_REQUESTS = 64
DEFAULT_RETRY_INITIAL_WAIT = 1.0
DEFAULT_ALL_CAMPAIGNS = False
DEFAULT_ALL_CANVASES = False
DEFAULT_INCLUDE_ARCHIVED = True
DEFAULT_INCLUDE_DELETED_STEPS = True

# Every setting that asks for data, in the order the "nothing to extract" error names them.
DATA_SOURCES = (
    "sends",
    "sends_file",
    "campaign_ids",
    "all_campaigns",
    "canvas_ids",
    "all_canvases",
)


class ConfigError(ValueError):
    """The config cannot be used; ``problems`` lists each setting that is wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"Invalid tap-braze-sends config:\n{lines}")


@dataclass(frozen=True)
class Settings:
    api_key: str
    api_url: str
    sends: tuple[SendKey, ...]
    campaign_ids: tuple[str, ...]
    start_date: dt.date
    end_date: dt.date
    lookback_days: int
    window_days: int
    request_timeout: float
    max_retries: int
    max_rate_limit_wait: float
    max_parallel_requests: int
    # Settings of the discovery and Canvas issues; defaults as in the config schema.
    retry_initial_wait: float = DEFAULT_RETRY_INITIAL_WAIT
    sends_file: str | None = None
    """The file named by the setting (already read: its sends are in ``sends``)."""
    all_campaigns: bool = DEFAULT_ALL_CAMPAIGNS
    include_archived: bool = DEFAULT_INCLUDE_ARCHIVED
    canvas_ids: tuple[str, ...] = ()
    all_canvases: bool = DEFAULT_ALL_CANVASES
    include_deleted_steps: bool = DEFAULT_INCLUDE_DELETED_STEPS
    shard: tuple[int, int] | None = None
    """``(k, n)``: this job takes shard k of n (1-based); None: every partition."""


def _parse_api_key(value: object, problems: list[str]) -> str:
    """The key without surrounding whitespace (a secret file's or variable's line break)."""
    if is_blank(value) or not isinstance(value, str):
        problems.append("api_key: is required (a Braze REST API key) and must not be empty")
        return ""
    key = value.strip()
    problem = key_problem(key)
    if problem:
        problems.append(
            f"api_key: {problem}, which cannot be sent in an HTTP header; copy the key again "
            "from Braze (Settings > APIs and Identifiers)"
        )
    return key


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse_api_url(value: object, problems: list[str]) -> str:
    if is_blank(value):
        problems.append(
            "api_url: is required, e.g. https://rest.iad-01.braze.com "
            "(the REST endpoint of your Braze instance)"
        )
        return ""
    text = str(value).strip()
    try:
        parts = urlsplit(text)
        host, _ = parts.hostname or "", parts.port
    except ValueError:  # a bad port or bracketed host
        parts, host = None, ""
    if parts is None or parts.scheme not in {"http", "https"} or not host:
        problems.append(
            f"api_url: {shown(text)} is not an http(s) URL such as https://rest.iad-01.braze.com"
        )
        return text.rstrip("/")
    base = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    if parts.username is not None or parts.password is not None:
        # Never echoed: it holds a password. requests would send it as Basic auth.
        problems.append(
            "api_url: must not hold a user name or password (user:password@); the API key "
            f"authenticates, e.g. {base}"
        )
    elif parts.path.strip("/") or parts.query or parts.fragment or "?" in text or "#" in text:
        problems.append(
            f"api_url: {shown(text)} must be the instance's base URL without a path, query or "
            f"fragment, e.g. {base}"
        )
    elif parts.scheme == "http" and not _is_loopback(host):
        # The key would cross the network in clear text.
        problems.append(
            f"api_url: {shown(text)} uses http://; the API key is only sent over https:// (plain "
            f"http is allowed to this machine alone), e.g. https://{parts.netloc}"
        )
    return text.rstrip("/")


def _parse_sends(value: object, problems: list[str]) -> tuple[SendKey, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(
            f"sends: must be a list of {{campaign_id, send_id}} objects, got {shown(value)}"
        )
        return ()
    sends: list[SendKey] = []
    seen: set[SendKey] = set()
    for index, entry in enumerate(value):
        where = f"sends[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(
                f"{where}: must be an object with campaign_id and send_id, got {shown(entry)}"
            )
            continue
        missing = [f for f in ("campaign_id", "send_id") if is_blank(entry.get(f))]
        if missing:
            problems.append(f"{where}: missing {' and '.join(missing)} in {shown(dict(entry))}")
            continue
        key = SendKey(str(entry["campaign_id"]).strip(), str(entry["send_id"]).strip())
        bad = [
            f"{field} {problem}"
            for field, value in (("campaign_id", key.campaign_id), ("send_id", key.send_id))
            if (problem := id_problem(value))
        ]
        if bad:
            problems.append(f"{where}: {'; '.join(bad)}")
            continue
        if key in seen:
            problems.append(
                f"{where}: duplicate send campaign_id={key.campaign_id!r} send_id={key.send_id!r}"
            )
            continue
        seen.add(key)
        sends.append(key)
    return tuple(sends)


def parse_settings(config: Mapping[str, Any], today: dt.date) -> Settings:
    """Validate a config mapping; raise :class:`ConfigError` listing every problem.

    Reads the file named by ``sends_file`` (the one side effect): its sends join ``sends``,
    a send in both being one partition.
    """
    problems: list[str] = []
    api_key = config.get("api_key")
    key = _parse_api_key(api_key, problems)
    api_url = _parse_api_url(config.get("api_url"), problems)
    listed = len(problems)
    sends = _parse_sends(config.get("sends"), problems)
    sends_file = parse_path("sends_file", config.get("sends_file"), problems)
    if sends_file is not None:
        sends = _with_file_sends(sends, sends_file, problems)
    campaign_ids = parse_ids("campaign_ids", "campaign", config.get("campaign_ids"), problems)
    all_campaigns = parse_bool(
        "all_campaigns", config.get("all_campaigns"), DEFAULT_ALL_CAMPAIGNS, problems
    )
    canvas_ids = parse_ids("canvas_ids", "Canvas", config.get("canvas_ids"), problems)
    all_canvases = parse_bool(
        "all_canvases", config.get("all_canvases"), DEFAULT_ALL_CANVASES, problems
    )
    # A configured sends_file asks for data even when empty today (a day without new sends).
    asked = sends or sends_file or campaign_ids or all_campaigns or canvas_ids or all_canvases
    if not asked and len(problems) == listed:
        problems.append(
            f"{' / '.join(DATA_SOURCES)}: nothing to extract; give at least one send "
            '({"campaign_id": ..., "send_id": ...}) in sends or a sends_file, one id in '
            "campaign_ids or canvas_ids, or set all_campaigns or all_canvases to true"
        )
    end_date = parse_date("end_date", config.get("end_date"), today, problems)
    start_default = min(end_date, today) - dt.timedelta(days=DEFAULT_START_OFFSET_DAYS)
    start_date = parse_date("start_date", config.get("start_date"), start_default, problems)
    if start_date > end_date:
        problems.append(
            f"start_date: {start_date.isoformat()} is after end_date {end_date.isoformat()}"
        )
    elif start_date > today:
        # Nothing to read yet; moving bookmarks to today would skip those days for good.
        problems.append(
            f"start_date: {start_date.isoformat()} is in the future (today is "
            f"{today.isoformat()} UTC): Braze has no analytics for it yet; use a past date"
        )
    settings = Settings(
        api_key=key,
        api_url=api_url,
        sends=sends,
        campaign_ids=campaign_ids,
        start_date=start_date,
        end_date=end_date,
        lookback_days=parse_int(
            "lookback_days",
            config.get("lookback_days"),
            DEFAULT_LOOKBACK_DAYS,
            0,
            MAX_LOOKBACK_DAYS,
            problems,
        ),
        window_days=parse_int(
            "window_days",
            config.get("window_days"),
            DEFAULT_WINDOW_DAYS,
            1,
            MAX_WINDOW_DAYS,
            problems,
        ),
        request_timeout=parse_seconds(
            "request_timeout", config.get("request_timeout"), DEFAULT_REQUEST_TIMEOUT, problems
        ),
        max_retries=parse_int(
            "max_retries",
            config.get("max_retries"),
            DEFAULT_MAX_RETRIES,
            0,
            MAX_RETRIES,
            problems,
        ),
        max_rate_limit_wait=parse_seconds(
            "max_rate_limit_wait",
            config.get("max_rate_limit_wait"),
            DEFAULT_MAX_RATE_LIMIT_WAIT,
            problems,
        ),
        max_parallel_requests=parse_int(
            "max_parallel_requests",
            config.get("max_parallel_requests"),
            DEFAULT_MAX_PARALLEL_REQUESTS,
            1,
            MAX_PARALLEL_REQUESTS,
            problems,
        ),
        # 0 is allowed: retries without a pause (tests, or a proxy that does its own backoff).
        retry_initial_wait=parse_seconds(
            "retry_initial_wait",
            config.get("retry_initial_wait"),
            DEFAULT_RETRY_INITIAL_WAIT,
            problems,
            allow_zero=True,
        ),
        sends_file=sends_file,
        all_campaigns=all_campaigns,
        include_archived=parse_bool(
            "include_archived",
            config.get("include_archived"),
            DEFAULT_INCLUDE_ARCHIVED,
            problems,
        ),
        canvas_ids=canvas_ids,
        all_canvases=all_canvases,
        include_deleted_steps=parse_bool(
            "include_deleted_steps",
            config.get("include_deleted_steps"),
            DEFAULT_INCLUDE_DELETED_STEPS,
            problems,
        ),
        shard=parse_shard(config.get("shard"), problems),
    )
    if problems:
        raise ConfigError(_without_secret(problems, api_key))
    return settings


def _with_file_sends(
    sends: tuple[SendKey, ...], path: str, problems: list[str]
) -> tuple[SendKey, ...]:
    try:
        from_file = read_sends_file(path)
    except SendsFileError as exc:
        problems.extend(exc.problems)
        return sends
    merged = dict.fromkeys(sends)
    merged.update(dict.fromkeys(from_file))
    return tuple(merged)


def _without_secret(problems: list[str], api_key: object) -> list[str]:
    # A key pasted into another setting (an api_url query, a send id) must not be echoed.
    if not isinstance(api_key, str):
        return problems
    return [redact(problem, api_key) for problem in problems]
