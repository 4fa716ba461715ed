"""Parsers of the settings that say where Braze is, with which key, and which sends to read.

Same contract as :mod:`tap_braze_sends.setting_values`: each returns the typed value, or the
default after adding one problem that names the setting. The key's value is never echoed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from tap_braze_sends.keys import SendKey, id_problem
from tap_braze_sends.redaction import key_problem
from tap_braze_sends.setting_values import is_blank, list_of_text, shown


def parse_api_key(name: str, value: object, default: str, problems: list[str]) -> str:
    """The key without surrounding whitespace (a secret file's or variable's line break)."""
    if is_blank(value) or not isinstance(value, str):
        problems.append(f"{name}: is required (a Braze REST API key) and must not be empty")
        return default
    key = value.strip()
    problem = key_problem(key)
    if problem:
        problems.append(
            f"{name}: {problem}, which cannot be sent in an HTTP header; copy the key again "
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


def parse_api_url(name: str, value: object, default: str, problems: list[str]) -> str:
    if is_blank(value):
        problems.append(
            f"{name}: is required, e.g. https://rest.iad-01.braze.com "
            "(the REST endpoint of your Braze instance)"
        )
        return default
    text = str(value).strip()
    try:
        parts = urlsplit(text)
        host, _ = parts.hostname or "", parts.port
    except ValueError:  # a bad port or bracketed host
        parts, host = None, ""
    if parts is None or parts.scheme not in {"http", "https"} or not host:
        problems.append(
            f"{name}: {shown(text)} is not an http(s) URL such as https://rest.iad-01.braze.com"
        )
        return text.rstrip("/")
    base = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    if parts.username is not None or parts.password is not None:
        # Never echoed: it holds a password. requests would send it as Basic auth.
        problems.append(
            f"{name}: must not hold a user name or password (user:password@); the API key "
            f"authenticates, e.g. {base}"
        )
    elif parts.path.strip("/") or parts.query or parts.fragment or "?" in text or "#" in text:
        problems.append(
            f"{name}: {shown(text)} must be the instance's base URL without a path, query or "
            f"fragment, e.g. {base}"
        )
    elif parts.scheme == "http" and not _is_loopback(host):
        # The key would cross the network in clear text.
        problems.append(
            f"{name}: {shown(text)} uses http://; the API key is only sent over https:// (plain "
            f"http is allowed to this machine alone), e.g. https://{parts.netloc}"
        )
    return text.rstrip("/")


def parse_sends(
    name: str, value: object, default: tuple[SendKey, ...], problems: list[str]
) -> tuple[SendKey, ...]:
    if isinstance(value, str):  # an environment variable's JSON
        try:
            value = list_of_text(value, names=False)
        except ValueError as exc:
            problems.append(
                f"{name}: {shown(value)} {exc}; expected "
                '[{"campaign_id": "...", "send_id": "..."}, ...]'
            )
            return default
    if value is None:
        return default
    if not isinstance(value, list):
        problems.append(
            f"{name}: must be a list of {{campaign_id, send_id}} objects, got {shown(value)}"
        )
        return default
    sends: list[SendKey] = []
    seen: set[SendKey] = set()
    for index, entry in enumerate(value):
        where = f"{name}[{index}]"
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
