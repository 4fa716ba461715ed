"""meltanolabs-target-postgres 0.8.1, except that an absent JSON value is SQL NULL.

The target gives every `object` property (and every array without typed items) a ``JSONB``
column built with SQLAlchemy's default ``none_as_null=False``, and binds each record with
``record.get(column)``. So a value that is ``null`` or missing in the record is bound as
Python ``None``, which that type serialises to the JSON text ``null``: the row holds the JSON
value ``null`` and ``IS NULL`` is false. Nothing a tap can emit avoids this (a missing
property and an explicit ``null`` both become ``None``), and the target has no setting for
it. This makes the target's ``JSONB`` columns ``none_as_null=True``: ``None`` is bound as SQL
``NULL`` (on the INSERT and the COPY paths alike); every other value is written as before,
and the column type is the same ``jsonb``.
"""

from __future__ import annotations

import inspect
from importlib import metadata
from typing import Any

from sqlalchemy.dialects.postgresql import JSONB
from target_postgres import connector

TARGET_DISTRIBUTION = "meltanolabs-target-postgres"
TARGET_VERSION = "0.8.1"


class SQLNullJSONB(JSONB):
    """``jsonb`` whose Python ``None`` is SQL ``NULL`` (the JSON value ``null`` never lands)."""

    def __init__(self, none_as_null: bool = True, astext_type: Any = None) -> None:
        super().__init__(none_as_null=True, astext_type=astext_type)


def _check_target_unchanged() -> None:
    # Another version may bind or type JSON differently: fail, don't guess.
    version = metadata.version(TARGET_DISTRIBUTION)
    source = inspect.getsource(connector)
    if version != TARGET_VERSION or 'register_type_handler("object", JSONB)' not in source:
        msg = (
            f"target-postgres-sqlnull is for {TARGET_DISTRIBUTION}=={TARGET_VERSION} only "
            f"(found {version})"
        )
        raise RuntimeError(msg)


def install() -> None:
    """Every ``JSONB`` the target's connector builds is a :class:`SQLNullJSONB`."""
    _check_target_unchanged()
    connector.JSONB = SQLNullJSONB


def main() -> None:
    install()
    from target_postgres.target import TargetPostgres

    TargetPostgres.cli()


if __name__ == "__main__":
    main()
