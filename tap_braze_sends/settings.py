"""Pure validation of the tap's config into typed settings, before any request is made.

Every problem is reported at once, each naming the setting and the bad value, so that a
scheduled job fails with a message a person can act on. The API key's value is never echoed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tap_braze_sends.windows import MAX_WINDOW_DAYS

DEFAULT_LOOKBACK_DAYS = 14
DEFAULT_WINDOW_DAYS = MAX_WINDOW_DAYS
DEFAULT_START_OFFSET_DAYS = 14
DEFAULT_REQUEST_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 8
DEFAULT_MAX_RATE_LIMIT_WAIT = 900.0
DEFAULT_MAX_PARALLEL_REQUESTS = 8
MAX_PARALLEL_REQUESTS = 64


class ConfigError(ValueError):
    """The config cannot be used; ``problems`` lists each setting that is wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"Invalid tap-braze-sends config:\n{lines}")


@dataclass(frozen=True)
class SendKey:
    campaign_id: str
    send_id: str


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
    retry_initial_wait: float = 1.0


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_date(name: str, value: object, default: dt.date, problems: list[str]) -> dt.date:
    if _is_blank(value):
        return default
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            # A datetime is accepted too ("2024-01-01T00:00:00Z"); its date is what counts.
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    problems.append(f"{name}: {value!r} is not a date (expected YYYY-MM-DD)")
    return default


def _parse_int(
    name: str, value: object, default: int, low: int, high: int | None, problems: list[str]
) -> int:
    if value is None:
        return default
    parsed: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        parsed = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        parsed = int(value)  # --config ENV passes every setting as text
    bounds = f">= {low}" if high is None else f"between {low} and {high}"
    if parsed is None or parsed < low or (high is not None and parsed > high):
        problems.append(f"{name}: {value!r} must be an integer {bounds}")
        return default
    return parsed


def _parse_seconds(
    name: str, value: object, default: float, problems: list[str], *, allow_zero: bool = False
) -> float:
    if value is None:
        return default
    try:
        parsed = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        parsed = -1.0
    if isinstance(value, bool) or not (parsed >= 0 if allow_zero else parsed > 0):
        bound = ">= 0" if allow_zero else "> 0"
        problems.append(f"{name}: {value!r} must be a number of seconds {bound}")
        return default
    return parsed


def _parse_api_url(value: object, problems: list[str]) -> str:
    if _is_blank(value):
        problems.append(
            "api_url: is required, e.g. https://rest.iad-01.braze.com "
            "(the REST endpoint of your Braze instance)"
        )
        return ""
    text = str(value).strip()
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        problems.append(
            f"api_url: {text!r} is not an http(s) URL such as https://rest.iad-01.braze.com"
        )
    elif parts.path.strip("/") or parts.query or parts.fragment:
        problems.append(
            f"api_url: {text!r} must be the instance's base URL without a path, "
            f"e.g. {parts.scheme}://{parts.netloc}"
        )
    return text.rstrip("/")


def _parse_sends(value: object, problems: list[str]) -> tuple[SendKey, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"sends: must be a list of {{campaign_id, send_id}} objects, got {value!r}")
        return ()
    sends: list[SendKey] = []
    seen: set[SendKey] = set()
    for index, entry in enumerate(value):
        where = f"sends[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(
                f"{where}: must be an object with campaign_id and send_id, got {entry!r}"
            )
            continue
        missing = [f for f in ("campaign_id", "send_id") if _is_blank(entry.get(f))]
        if missing:
            problems.append(f"{where}: missing {' and '.join(missing)} in {dict(entry)!r}")
            continue
        key = SendKey(str(entry["campaign_id"]).strip(), str(entry["send_id"]).strip())
        if key in seen:
            problems.append(
                f"{where}: duplicate send campaign_id={key.campaign_id!r} send_id={key.send_id!r}"
            )
            continue
        seen.add(key)
        sends.append(key)
    return tuple(sends)


def _parse_campaign_ids(value: object, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"campaign_ids: must be a list of campaign ids, got {value!r}")
        return ()
    ids: list[str] = []
    for index, item in enumerate(value):
        if _is_blank(item) or not isinstance(item, str):
            problems.append(f"campaign_ids[{index}]: {item!r} is not a campaign id")
        elif item.strip() in ids:
            problems.append(f"campaign_ids[{index}]: duplicate campaign id {item!r}")
        else:
            ids.append(item.strip())
    return tuple(ids)


def parse_settings(config: Mapping[str, Any], today: dt.date) -> Settings:
    """Validate a config mapping; raise :class:`ConfigError` listing every problem."""
    problems: list[str] = []
    api_key = config.get("api_key")
    if _is_blank(api_key) or not isinstance(api_key, str):
        problems.append("api_key: is required (a Braze REST API key) and must not be empty")
    api_url = _parse_api_url(config.get("api_url"), problems)
    sends = _parse_sends(config.get("sends"), problems)
    campaign_ids = _parse_campaign_ids(config.get("campaign_ids"), problems)
    listed_wrong = any(p.startswith(("sends", "campaign_ids")) for p in problems)
    if not sends and not campaign_ids and not listed_wrong:
        problems.append(
            "sends / campaign_ids: nothing to extract; give at least one send "
            '({"campaign_id": ..., "send_id": ...}) in sends or one id in campaign_ids'
        )
    end_date = _parse_date("end_date", config.get("end_date"), today, problems)
    start_default = end_date - dt.timedelta(days=DEFAULT_START_OFFSET_DAYS)
    start_date = _parse_date("start_date", config.get("start_date"), start_default, problems)
    if start_date > end_date:
        problems.append(
            f"start_date: {start_date.isoformat()} is after end_date {end_date.isoformat()}"
        )
    settings = Settings(
        api_key=str(api_key or ""),
        api_url=api_url,
        sends=sends,
        campaign_ids=campaign_ids,
        start_date=start_date,
        end_date=end_date,
        lookback_days=_parse_int(
            "lookback_days", config.get("lookback_days"), DEFAULT_LOOKBACK_DAYS, 0, None, problems
        ),
        window_days=_parse_int(
            "window_days", config.get("window_days"), DEFAULT_WINDOW_DAYS, 1, MAX_WINDOW_DAYS,
            problems,
        ),
        request_timeout=_parse_seconds(
            "request_timeout", config.get("request_timeout"), DEFAULT_REQUEST_TIMEOUT, problems
        ),
        max_retries=_parse_int(
            "max_retries", config.get("max_retries"), DEFAULT_MAX_RETRIES, 0, None, problems
        ),
        max_rate_limit_wait=_parse_seconds(
            "max_rate_limit_wait", config.get("max_rate_limit_wait"),
            DEFAULT_MAX_RATE_LIMIT_WAIT, problems,
        ),
        max_parallel_requests=_parse_int(
            "max_parallel_requests", config.get("max_parallel_requests"),
            DEFAULT_MAX_PARALLEL_REQUESTS, 1, MAX_PARALLEL_REQUESTS, problems,
        ),
        retry_initial_wait=_parse_seconds(
            "retry_initial_wait", config.get("retry_initial_wait"), 1.0, problems, allow_zero=True
        ),
    )
    if problems:
        raise ConfigError(_without_secret(problems, api_key))
    return settings


def _without_secret(problems: list[str], api_key: object) -> list[str]:
    # A key pasted into another setting (an api_url query, a send id) must not be echoed.
    if not isinstance(api_key, str) or len(api_key.strip()) < 4:
        return problems
    # Messages quote values with repr(), which escapes quotes and backslashes.
    secrets = {api_key, api_key.strip(), repr(api_key.strip())[1:-1]}
    for secret in sorted(secrets, key=len, reverse=True):
        problems = [problem.replace(secret, "***") for problem in problems]
    return problems
