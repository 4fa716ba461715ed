"""The Currents files under a prefix, listed through fsspec (`file://` now; `s3://`,
`gs://` and `az://` through s3fs, gcsfs and adlfs, the same calls).

Braze advises listing every key under the prefix recursively, as its naming may change
([EDS], [FAQ]); the walk does, but it does not descend into an `event_type=` folder of a type
not asked for, nor a `date=` folder older than that type's first hour still to read, so a
rerun lists the lookback, not the bucket's history. Each folder is listed once: the walk is
bounded by the folders under the prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import fsspec
from fsspec.core import url_to_fs

from tap_braze_sends.currents.errors import CurrentsError
from tap_braze_sends.currents.paths import ObjectKey, parse_hour, parse_object_path


@dataclass(frozen=True)
class ListedFile:
    key: ObjectKey
    path: str  # the store's own path (bucket/prefix/...), to open it with
    size: int | None


@dataclass
class Listing:
    files: list[ListedFile] = field(default_factory=list)
    # .avro objects outside Braze's layout: named in a warning, never read.
    unrecognised: list[str] = field(default_factory=list)


def open_store(
    url: str, storage_options: Mapping[str, Any]
) -> tuple[fsspec.AbstractFileSystem, str]:
    """The filesystem and root path of `currents_url`; an unknown scheme or a missing
    storage package is one line naming the URL's scheme."""
    try:
        return url_to_fs(url, **dict(storage_options))
    except (ImportError, ValueError) as exc:
        scheme = url.split("://", 1)[0] if "://" in url else "file"
        raise CurrentsError(
            f"currents_url: cannot open a {scheme!r} store ({type(exc).__name__}: {exc})"
        ) from None


def _keep(
    name: str,
    event_types: Collection[str] | None,
    since: Callable[[str], datetime | None],
    current_type: str | None,
) -> bool:
    if name.startswith("event_type="):
        return event_types is None or name.removeprefix("event_type=") in event_types
    if name.startswith("date=") and current_type is not None:
        hour, first = parse_hour(name.removeprefix("date=")), since(current_type)
        return hour is None or first is None or hour >= first
    return True


def list_files(
    fs: fsspec.AbstractFileSystem,
    root: str,
    *,
    url: str,
    event_types: Collection[str] | None = None,
    since: Mapping[str, datetime] | None = None,
) -> Listing:
    """Every Currents file under `root`, in (event type, hour, file) order. `event_types`:
    only these (None: all); `since`: per type, the first hour still to read. `url` names the
    prefix in errors (the configured text, never the storage options)."""
    first_hour = (since or {}).get
    listing = Listing()
    pending: list[tuple[str, str | None]] = [(root.rstrip("/"), None)]
    while pending:
        folder, current_type = pending.pop()
        try:
            entries = fs.ls(folder, detail=True)
        except FileNotFoundError:
            if folder == root.rstrip("/"):
                raise CurrentsError(f"currents_url {url}: no such bucket or prefix") from None
            continue  # removed while listing
        except PermissionError:
            raise CurrentsError(
                f"currents_url {url}: no permission to list {folder!r} (the reader needs list "
                "and read permission on the prefix)"
            ) from None
        for entry in entries:
            path = entry["name"].rstrip("/")
            name = path.rsplit("/", 1)[-1]
            if entry.get("type") == "directory":
                if path != folder and _keep(name, event_types, first_hour, current_type):
                    kind = (
                        name.removeprefix("event_type=")
                        if name.startswith("event_type=")
                        else current_type
                    )
                    pending.append((path, kind))
            elif name.endswith(".avro"):
                key = parse_object_path(path)
                if key is None:
                    listing.unrecognised.append(path)
                elif event_types is None or key.event_type in event_types:
                    listing.files.append(ListedFile(key, path, entry.get("size")))
    listing.files.sort(key=lambda f: f.key)
    listing.unrecognised.sort()
    return listing
