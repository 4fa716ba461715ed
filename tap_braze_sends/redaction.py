"""Keeping the API key out of every message: what a usable key looks like, the forms in which
it could show up in text, and a log filter that masks them as a second line of defence.

The first line of defence is that messages are built key-free where they are raised; the
filter catches what slips through (a library's exception text, a server that echoes the
``Authorization`` header into a body the tap quotes).
"""

from __future__ import annotations

import functools
import logging
import re
import urllib.parse

MASK = "***"

MIN_REDACTED_LENGTH = 4
"""A shorter "key" would mask ordinary words; no Braze key is that short."""

MIN_PIECE_LENGTH = 8
"""The shortest leading piece of a key that is masked too: a message that quotes a value cut
to its first N characters (``{body!r:.200}``) may cut through a key the value echoed."""


def key_problem(key: str) -> str | None:
    """Why ``key`` (already stripped) cannot go in an HTTP header, without quoting it; None: ok.

    Braze keys are printable ASCII without spaces (a UUID); anything else is a paste gone wrong
    (a line break inside, a non-ASCII quote), which requests would reject with the key in its
    message, or send garbled.
    """
    for index, char in enumerate(key, start=1):
        if char == " ":
            return f"holds a space (character {index})"
        if not char.isascii():
            return f"holds a non-ASCII character (character {index})"
        if not char.isprintable():
            return f"holds a control character such as a line break (character {index})"
    return None


def secret_forms(secret: str) -> tuple[str, ...]:
    """Every form in which ``secret`` may appear in text, longest first.

    As given, stripped of surrounding whitespace, as ``repr()`` escapes it (a config error
    quotes values that way), and URL-encoded (a URL or query echoed by a server).
    """
    stripped = secret.strip()
    forms = {
        secret,
        stripped,
        repr(stripped)[1:-1],
        repr(secret)[1:-1],
        urllib.parse.quote(stripped, safe=""),
        urllib.parse.quote_plus(stripped),
    }
    return tuple(sorted((f for f in forms if len(f) >= MIN_REDACTED_LENGTH), key=len, reverse=True))


@functools.lru_cache(maxsize=8)
def _pattern(secret: str) -> re.Pattern[str] | None:
    forms = secret_forms(secret)
    if not forms:
        return None
    # Case-insensitive: a host or a percent-escape may come back in another case.
    return re.compile("|".join(map(re.escape, forms)), re.IGNORECASE)


def redact(text: str, secret: str) -> str:
    """``text`` with every form of ``secret`` masked, and every leading piece of one."""
    pattern = _pattern(secret) if secret else None
    if pattern is None:
        return text
    return _mask_pieces(pattern.sub(MASK, text), secret_forms(secret))


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
"""Lower case that keeps every index (str.lower may not: "İ" becomes two characters)."""


def _mask_pieces(text: str, forms: tuple[str, ...]) -> str:
    """Mask each run of ``text`` that starts like a form (its first MIN_PIECE_LENGTH
    characters) for as long as it goes on like it. Scanned, not a regex of every leading
    piece: that regex grows with the square of the key's length (minutes for a key of a few
    thousand characters pasted by mistake)."""
    lowered = text.translate(_ASCII_LOWER)
    spans: list[tuple[int, int]] = []
    for form in (f.translate(_ASCII_LOWER) for f in forms if len(f) > MIN_PIECE_LENGTH):
        start = lowered.find(form[:MIN_PIECE_LENGTH])
        while start != -1:
            end = start + MIN_PIECE_LENGTH
            while end - start < len(form) and end < len(text) and lowered[end] == form[end - start]:
                end += 1
            spans.append((start, end))
            start = lowered.find(form[:MIN_PIECE_LENGTH], start + 1)
    if not spans:
        return text
    masked, last = [], 0
    for start, end in sorted(spans):
        if end <= last:
            continue
        if start >= last:
            masked.append(text[last:start] + MASK)
        last = end
    return "".join(masked) + text[last:]


class RedactingFilter(logging.Filter):
    """Masks the key in a log record's message, traceback and stack before it is formatted."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: still log something, key-free
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact(message, self.secret)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secret)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secret)
        return True


def install_redaction(secret: str) -> None:
    """Put a :class:`RedactingFilter` for ``secret`` on every handler logging has now.

    The handlers are singer-sdk's (on the root logger) or a ``SINGER_SDK_LOG_CONFIG`` file's;
    a handler that already masks this secret is left as it is.
    """
    if len(secret.strip()) < MIN_REDACTED_LENGTH:
        return
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(
                isinstance(f, RedactingFilter) and f.secret == secret for f in handler.filters
            ):
                handler.addFilter(RedactingFilter(secret))
