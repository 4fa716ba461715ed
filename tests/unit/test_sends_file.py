"""read_sends_file: a user's own list of sends, as CSV or JSON lines, with errors that name the
file and the line to fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tap_braze_sends.keys import SendKey
from tap_braze_sends.sends_file import MAX_REPORTED, SendsFileError, read_sends_file


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return str(path)


def faults(path: str) -> list[str]:
    with pytest.raises(SendsFileError) as caught:
        read_sends_file(path)
    return caught.value.problems


def test_csv_with_extra_columns_bom_blank_lines_and_crlf(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sends.csv",
        "\ufeffsent_at,Send_ID , campaign_id,note\r\n"
        "2026-03-01,s1,c1,first\r\n"
        "\r\n"
        '2026-03-02, s2 ,c1,"a, quoted\nnote"\r\n'
        ",,,\r\n"
        "2026-03-03,s3,c2,x\r\n",
    )
    assert read_sends_file(path) == (SendKey("c1", "s1"), SendKey("c1", "s2"), SendKey("c2", "s3"))


def test_json_lines_with_other_keys_and_blank_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sends.jsonl",
        '{"campaign_id": "c1", "send_id": "s1", "created": "2026-03-01"}\n'
        "\n"
        '  {"send_id": "s2", "campaign_id": "c2"}  \n',
    )
    assert read_sends_file(path) == (SendKey("c1", "s1"), SendKey("c2", "s2"))


def test_duplicates_in_the_file_are_one_send_in_first_order(tmp_path: Path) -> None:
    path = write(tmp_path, "sends.csv", "campaign_id,send_id\nc1,s2\nc1,s1\nc1,s2\nc1, s1\n")
    assert read_sends_file(path) == (SendKey("c1", "s2"), SendKey("c1", "s1"))


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("sends.txt", '{"campaign_id": "c1", "send_id": "s1"}\n', (SendKey("c1", "s1"),)),
        ("sends", "campaign_id,send_id\nc1,s1\n", (SendKey("c1", "s1"),)),
        ("sends.NDJSON", '{"campaign_id": "c1", "send_id": "s1"}\n', (SendKey("c1", "s1"),)),
        ("sends.json", '{"campaign_id": "c1", "send_id": "s1"}\n', (SendKey("c1", "s1"),)),
    ],
)
def test_format_from_extension_or_content(
    tmp_path: Path, name: str, text: str, expected: tuple[SendKey, ...]
) -> None:
    assert read_sends_file(write(tmp_path, name, text)) == expected


@pytest.mark.parametrize("text", ["", "\n\n", "campaign_id,send_id\n", "\ufeff"])
def test_empty_file_or_header_only_is_no_sends(tmp_path: Path, text: str) -> None:
    assert read_sends_file(write(tmp_path, "sends.csv", text)) == ()


def test_home_directory_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path, "sends.csv", "campaign_id,send_id\nc1,s1\n")
    assert read_sends_file("~/sends.csv") == (SendKey("c1", "s1"),)


# --- errors ----------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.csv")
    assert faults(path) == [f"sends_file: {path!r} does not exist"]


def test_a_directory(tmp_path: Path) -> None:
    assert faults(str(tmp_path)) == [f"sends_file: {str(tmp_path)!r} is a directory, not a file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "sends.csv", "campaign_id,send_id\n")
    os.chmod(path, 0)
    assert faults(path) == [f"sends_file: {path!r} cannot be read: Permission denied"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "sends.csv"
    path.write_bytes(b"campaign_id,send_id\nc\xe9,s1\n")
    assert faults(str(path)) == [
        f"sends_file: {str(path)!r} is not UTF-8 text (byte 21): expected CSV or JSON lines"
    ]


def test_csv_wrong_header(tmp_path: Path) -> None:
    path = write(tmp_path, "sends.csv", "\n\ncampaign,send_id\nc1,s1\n")
    assert faults(path) == [
        f"sends_file: {path!r} line 3: the header must name campaign_id and send_id "
        "(missing campaign_id), got 'campaign,send_id'"
    ]


def test_csv_without_header(tmp_path: Path) -> None:
    path = write(tmp_path, "sends.csv", "c1,s1\nc1,s2\n")
    (problem,) = faults(path)
    assert problem.startswith(f"sends_file: {path!r} line 1: the header must name")
    assert "missing campaign_id and send_id" in problem


def test_csv_bad_rows_are_all_named_with_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sends.csv",
        "campaign_id,send_id,note\nc1,s1,ok\nc1,,empty send\n\nc2\n , s4,blank campaign\n",
    )
    assert faults(path) == [
        f"sends_file: {path!r} line 3: empty send_id in 'c1,,empty send'",
        f"sends_file: {path!r} line 5: missing send_id in 'c2'",
        f"sends_file: {path!r} line 6: empty campaign_id in ', s4,blank campaign'",
    ]


def test_json_lines_bad_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sends.jsonl",
        '{"campaign_id": "c1", "send_id": "s1"}\n'
        '{"campaign_id": "c1", "send_id": }\n'
        '["c1", "s1"]\n'
        '{"campaign_id": 7, "send_id": "s1"}\n'
        '{"send_id": "s1"}\n',
    )
    assert faults(path) == [
        f"sends_file: {path!r} line 2: not valid JSON (Expecting value at column 34): "
        '\'{"campaign_id": "c1", "send_id": }\'',
        f"sends_file: {path!r} line 3: expected an object with campaign_id and send_id, "
        'got \'["c1", "s1"]\'',
        f"sends_file: {path!r} line 4: campaign_id must be text, got 7 in "
        '\'{"campaign_id": 7, "send_id": "s1"}\'',
        f'sends_file: {path!r} line 5: missing campaign_id in \'{{"send_id": "s1"}}\'',
    ]


def test_csv_content_under_a_jsonl_name_is_bad_json_on_line_1(tmp_path: Path) -> None:
    path = write(tmp_path, "sends.jsonl", "campaign_id,send_id\nc1,s1\n")
    problems = faults(path)
    assert problems[0].startswith(f"sends_file: {path!r} line 1: not valid JSON")
    assert len(problems) == 2


def test_many_bad_rows_are_capped_and_counted(tmp_path: Path) -> None:
    rows = "".join(f"c{i},\n" for i in range(25))
    path = write(tmp_path, "sends.csv", "campaign_id,send_id\n" + rows)
    problems = faults(path)
    assert len(problems) == MAX_REPORTED + 1 == 11
    assert problems[0] == f"sends_file: {path!r} line 2: empty send_id in 'c0,'"
    assert problems[-1] == f"sends_file: {path!r}: 15 more bad lines not shown"


def test_a_long_bad_line_is_clipped(tmp_path: Path) -> None:
    path = write(tmp_path, "sends.csv", "campaign_id,send_id\n" + "x" * 500 + ",\n")
    (problem,) = faults(path)
    assert problem.endswith("x" * 119 + "...'")
    assert len(problem) < 250
