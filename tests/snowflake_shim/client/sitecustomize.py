"""On PYTHONPATH of target-snowflake in the tests' Meltano runs (test_snowflake_warehouse.py) with
SNOWFLAKE_EMULATOR_ADDRESS=127.0.0.1:PORT: every Snowflake connection goes to the emulator
(tests/snowflake_shim/emulator.py) over plain HTTP, and the target may open no TCP connection
off this machine (each refusal is printed to stderr, which the test checks).

target-snowflake has no host setting: it derives ACCOUNT.snowflakecomputing.com from the
account, so the connector's own host/port/protocol arguments are the seam.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import Any

ADDRESS = os.environ.get("SNOWFLAKE_EMULATOR_ADDRESS", "")


def _is_loopback(host: Any) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return host == "localhost"


def _refuse_off_machine() -> None:
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            print(f"snowflake_shim: refused a connection to {address[0]}", file=sys.stderr)
            raise ConnectionRefusedError(f"off-machine connection to {address[0]} refused")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return connect_ex(self, address)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]


def _redirect_snowflake(host: str, port: int) -> None:
    try:
        from snowflake.connector.connection import SnowflakeConnection
    except ImportError:  # Meltano's and the tap's venvs have no Snowflake connector
        return
    connect = SnowflakeConnection.connect

    def to_emulator(self: SnowflakeConnection, **kwargs: Any) -> None:
        return connect(self, **{**kwargs, "host": host, "port": port, "protocol": "http"})

    SnowflakeConnection.connect = to_emulator  # type: ignore[method-assign]


if ADDRESS:
    _refuse_off_machine()
    _host, _, _port = ADDRESS.rpartition(":")
    _redirect_snowflake(_host, int(_port))
