"""Read the `sends_file` setting: the sends a user's own app created, kept outside the config.

No Braze endpoint lists send ids, so users export them from their own records, often daily.
Two formats are accepted:

- CSV with a header row naming ``campaign_id`` and ``send_id`` (in any order, any case, other
  columns ignored); a UTF-8 byte-order mark (as Excel writes) and blank lines are fine.
- JSON lines: one object ``{"campaign_id": "...", "send_id": "..."}`` per line (other keys
  ignored); blank lines are fine.

The extension decides (``.csv``; ``.jsonl``, ``.ndjson``, ``.json``); any other name is read as
JSON lines when its first non-blank character is ``{``, else as CSV.

Choices: a send listed twice in the file is one send (the file is generated, and a re-export
that repeats a row is no mistake); the order of first appearance is kept. An empty file, or a
CSV with only its header, holds no sends and is no error (a day without new sends). Every bad
row is reported, with the file and its line number, up to :data:`MAX_REPORTED` of them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from tap_braze_sends.keys import SendKey, id_problem
from tap_braze_sends.setting_values import shown

MAX_FILE_BYTES = 32 * 2**20
"""About 500,000 sends (a row is ~64 bytes): twice the sends Braze's default pool can read in
an hour (250,000 requests), so no usable file is refused."""

MAX_REPORTED = 10
"""Bad rows named in the error; the rest are counted (a wrong file has thousands)."""

_FIELDS = ("campaign_id", "send_id")
_CSV_SUFFIXES = frozenset({".csv"})
_JSON_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})


class SendsFileError(ValueError):
    """The file cannot be used; ``problems`` holds one line per fault, each naming the file."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def read_sends_file(path: str) -> tuple[SendKey, ...]:
    """The sends listed in the file at ``path``; raise :class:`SendsFileError` if unusable."""
    file = Path(path).expanduser()
    where = f"sends_file: {path!r}"
    try:
        text = _read_regular_file(file, where).decode("utf-8-sig")
    except FileNotFoundError:
        raise SendsFileError([f"{where} does not exist"]) from None
    except IsADirectoryError:
        raise SendsFileError([f"{where} is a directory, not a file"]) from None
    except UnicodeDecodeError as exc:
        msg = f"{where} is not UTF-8 text (byte {exc.start}): expected CSV or JSON lines"
        raise SendsFileError([msg]) from None
    except OSError as exc:
        raise SendsFileError([f"{where} cannot be read: {exc.strerror or exc}"]) from None

    rows = _json_lines_rows(text) if _is_json_lines(file, text) else _csv_rows(text)
    sends: dict[SendKey, None] = {}
    faults: list[str] = []
    for line, row in rows:
        if isinstance(row, str):
            faults.append(f"{where} line {line}: {row}")
        else:
            sends.setdefault(row, None)
    if faults:
        shown = faults[:MAX_REPORTED]
        if len(faults) > MAX_REPORTED:
            shown.append(f"{where}: {len(faults) - MAX_REPORTED} more bad lines not shown")
        raise SendsFileError(shown)
    return tuple(sends)


def _read_regular_file(file: Path, where: str) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`, else
    :class:`SendsFileError`. Opened without blocking (a FIFO would wait for a writer before
    the first request) and checked on the open descriptor, then read no further than the
    cap (``/dev/zero``, or a file still growing, would fill the memory)."""
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):
            kind = _KINDS.get(stat.S_IFMT(mode), "special file")
            msg = f"{where} is a {kind}, not a regular file: write the sends to a file first"
            raise SendsFileError([msg])
        content = handle.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        msg = (
            f"{where} is larger than {MAX_FILE_BYTES // 2**20} MiB (about 500,000 sends, "
            "two hours of Braze's default rate limit): list only the sends of the last days "
            "(Braze keeps a send's analytics 14 days)"
        )
        raise SendsFileError([msg])
    return content


_KINDS = {
    stat.S_IFIFO: "named pipe (FIFO)",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFSOCK: "socket",
}


def _is_json_lines(file: Path, text: str) -> bool:
    suffix = file.suffix.lower()
    if suffix in _CSV_SUFFIXES or suffix in _JSON_SUFFIXES:
        return suffix in _JSON_SUFFIXES
    return text.lstrip().startswith("{")


# Each reader yields (line number, SendKey or the fault on that line).
Parsed = Iterator[tuple[int, SendKey | str]]


def _json_lines_rows(text: str) -> Parsed:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg} at column {exc.colno}): {_clip(line)}"
            continue
        if not isinstance(entry, dict):
            yield number, f"expected an object with campaign_id and send_id, got {_clip(line)}"
            continue
        yield number, _send_key({f: entry.get(f) for f in _FIELDS}, line)


def _csv_rows(text: str) -> Parsed:
    # strict: an unterminated quote is an error, not a field that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text), strict=True)
    columns: dict[str, int] | None = None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # Nothing after it can be trusted to start where it seems to.
            yield reader.line_num, f"not valid CSV ({exc}); check the quotes on this line"
            return
        number = reader.line_num  # the physical line where this row ends
        if not any(cell.strip() for cell in cells):
            continue
        if columns is None:
            names = [cell.strip().lower() for cell in cells]
            missing = [f for f in _FIELDS if f not in names]
            if missing:
                yield (
                    number,
                    (
                        f"the header must name campaign_id and send_id (missing "
                        f"{' and '.join(missing)}), got {_clip(','.join(cells))}"
                    ),
                )
                return  # without a header no row can be read
            columns = {f: names.index(f) for f in _FIELDS}
            continue
        values = {f: cells[i] if i < len(cells) else None for f, i in columns.items()}
        yield number, _send_key(values, ",".join(cells))


def _send_key(values: dict[str, object], line: str) -> SendKey | str:
    faults = []
    for name, value in values.items():
        if value is None:
            faults.append(f"missing {name}")
        elif not isinstance(value, str):
            faults.append(f"{name} must be text, got {shown(value, 40)}")
        elif not value.strip():
            faults.append(f"empty {name}")
        elif problem := id_problem(value.strip()):
            faults.append(f"{name} {problem}")
    if faults:
        return f"{', '.join(faults)} in {_clip(line)}"
    return SendKey(str(values["campaign_id"]).strip(), str(values["send_id"]).strip())


def _clip(line: str, limit: int = 120) -> str:
    line = line.strip()
    return repr(line if len(line) <= limit else line[:limit] + "...")
