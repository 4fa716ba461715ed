"""A series' name in logs and progress lines: every path it reads, in its unit; two series
never share one (README, "Progress and logs")."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tap_braze_sends.braze.description import joined_paths
from tap_braze_sends.braze.endpoints import BRAZE

BRACES = re.compile(r"^(?P<prefix>[^{}]*)\{(?P<middles>[^{}]*)\}(?P<suffix>[^{}]*)$")


def expand(name: str) -> list[str]:
    """The paths a braced name stands for, read back by hand."""
    match = BRACES.match(name)
    if match is None:
        return [name]
    return [match["prefix"] + m + match["suffix"] for m in match["middles"].split(",")]


def test_the_names_a_person_reads() -> None:
    names = {t.stream: s.name for s in BRAZE.series for t in s.tables}
    assert names["app_kpis"] == "/kpi/{dau,mau,new_users,uninstalls}/data_series"
    assert names["purchase_analytics"] == "/purchases/{quantity,revenue}_series"
    assert names["purchase_hourly_analytics"] == "/purchases/{quantity,revenue}_series (hour)"
    assert names["session_analytics"] == "/sessions/data_series"
    assert names["session_hourly_analytics"] == "/sessions/data_series (hour)"
    assert names["campaign_analytics"] == "/campaigns/data_series"


def test_no_two_series_share_a_name() -> None:
    names = [s.name for s in BRAZE.series]
    assert len(set(names)) == len(names), sorted(names)


segment = st.text(alphabet="abcdefghij_", min_size=1, max_size=6)
path = st.lists(segment, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))


@given(st.lists(path, min_size=1, max_size=5, unique=True))
def test_a_joined_name_stands_for_exactly_its_paths(paths: list[str]) -> None:
    name = joined_paths(paths)
    assert expand(name) == paths
    if len(paths) > 1:  # the shared part is cut at a separator: no path loses a letter of it
        prefix = BRACES.match(name)["prefix"]
        assert prefix.endswith("/")
