"""A body's memory is bounded, not only its bytes: bodies of small elements that decoded into
gigabytes end in one error line naming the partition and window, the tap's peak RSS under
1 GiB, under the address-space limit where the issue saw a MemoryError traceback."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import threading
from pathlib import Path

from conftest import TAP, QuietHandler, log_lines
from test_hostile_servers import config_for, hostile

from tap_braze_sends.runtime.body import BodyLimit

ADDRESS_SPACE = 3 * 2**30
"""The limit the issue ran under: five 64 MiB bodies of ``{},`` peaked at 8.2 GB."""


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def test_five_concurrent_64_mib_bodies_of_small_elements_end_in_one_line(tmp_path: Path) -> None:
    body = b'{"message": "success", "data": [' + b"{}," * (64 * 2**20 // 3) + b"{}]}"

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        with contextlib.suppress(OSError):  # the tap hung up: it refused the body
            h.reply(200, body)

    campaigns = [f"camp-{n}" for n in range(5)]
    with hostile(answer) as (url, server):
        config = config_for(url, campaign_ids=campaigns, max_retries=1, request_timeout=60)
        (tmp_path / "config.json").write_text(json.dumps(config))
        with (tmp_path / "stderr").open("wb") as err:
            proc = subprocess.Popen(
                [TAP, "--config", str(tmp_path / "config.json")],
                stdout=subprocess.DEVNULL,
                stderr=err,
                preexec_fn=limited,  # the child sets its own limit, then execs
            )
            guard = threading.Timer(120, proc.kill)  # against a hang, not a timing
            guard.start()
            _, status, usage = os.wait4(proc.pid, 0)  # this process's own peak RSS
            guard.cancel()
    stderr = (tmp_path / "stderr").read_text()
    peak_mib = usage.ru_maxrss / 1024  # KiB on Linux
    print(f"peak RSS {peak_mib:.0f} MiB")
    assert os.waitstatus_to_exitcode(status) == 1, stderr[-3000:]
    assert peak_mib < 1024, f"peak RSS {peak_mib:.0f} MiB"
    assert "MemoryError" not in stderr, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    errors = [line.message for line in log_lines(stderr) if line.level == "ERROR"]
    assert len(errors) == 1, errors
    (error,) = errors
    limit = BodyLimit.for_units(8)  # 2026-03-25..2026-03-31, and the day after (guards)
    assert error.startswith("Giving up on campaign_id='camp-"), error
    assert "window 2026-03-25..2026-04-01" in error, error
    assert f"the body outgrew {limit.max_bytes:,} bytes or {limit.max_values:,} JSON" in error
    assert server.requests <= 2 * len(campaigns)
