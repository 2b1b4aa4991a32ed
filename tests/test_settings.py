"""Settings from environment variables: what is refused, and how the refusal reads."""

from __future__ import annotations

import pytest

from veilleur.settings import SettingsError, load_settings

TOKEN = "s3cr3t-t0ken-0123456789"


def refusal(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    return str(caught.value)


def test_it_uses_the_defaults_when_nothing_is_set():
    settings = load_settings({})
    assert (settings.port, settings.concurrency) == (8470, 256)
    assert settings.api_token is None
    assert settings.base_url == "http://127.0.0.1:8470"


def test_it_brackets_an_ipv6_host_in_the_address():
    settings = load_settings({"VEILLEUR_HOST": "::1", "VEILLEUR_PORT": "9000"})
    assert settings.address == "[::1]:9000"
    assert settings.base_url == "http://[::1]:9000"


def test_it_accepts_a_port_with_spaces_around_it():
    assert load_settings({"VEILLEUR_PORT": " 18471 "}).port == 18471


@pytest.mark.parametrize(
    "raw",
    [
        "80_00",  # int() reads the underscore as a digit separator
        "٨٠٠٠",  # Arabic-Indic digits, which int() also reads
        "+8000",
        "8000.0",
        "http",
    ],
    ids=["underscore", "arabic-indic", "sign", "decimal", "word"],
)
def test_it_refuses_a_port_not_written_in_ascii_digits(raw):
    message = refusal({"VEILLEUR_PORT": raw})
    assert message.startswith(f"VEILLEUR_PORT={raw!r}: expected a whole number")
    assert "from 1 to 65535" in message


@pytest.mark.parametrize("raw", ["0", "65536", "9" * 5000], ids=["0", "65536", "huge"])
def test_it_refuses_a_port_out_of_range(raw):
    # 0 would let the system choose a port the log and the links could not show.
    message = refusal({"VEILLEUR_PORT": raw})
    assert "expected a number from 1 to 65535" in message


@pytest.mark.parametrize(
    "raw", ["1_0", "٣", "0", "10001"], ids=["underscore", "arabic-indic", "0", "10001"]
)
def test_it_holds_the_concurrency_to_the_same_rules(raw):
    assert refusal({"VEILLEUR_CONCURRENCY": raw}).startswith(
        f"VEILLEUR_CONCURRENCY={raw!r}: expected a"
    )


def test_it_strips_the_token_read_from_a_file(tmp_path):
    path = tmp_path / "token"
    path.write_text(f"  {TOKEN}\n", encoding="utf-8")
    settings = load_settings({"VEILLEUR_API_TOKEN_FILE": str(path)})
    assert settings.api_token == TOKEN


def test_it_names_the_file_variable_when_the_file_is_not_utf8(tmp_path):
    path = tmp_path / "token"
    path.write_bytes(b"abc\xff" * 8)
    message = refusal({"VEILLEUR_API_TOKEN_FILE": str(path)})
    assert message.startswith(f"VEILLEUR_API_TOKEN_FILE={str(path)!r}: not UTF-8")
    assert "0xff at offset 3" in message


@pytest.mark.parametrize(
    "content", ["", "\n", "short\n"], ids=["empty", "newline", "short"]
)
def test_it_names_the_file_variable_when_its_token_is_too_short(tmp_path, content):
    path = tmp_path / "token"
    path.write_text(content, encoding="utf-8")
    message = refusal({"VEILLEUR_API_TOKEN_FILE": str(path)})
    assert message.startswith(f"VEILLEUR_API_TOKEN_FILE={str(path)!r}: the token")
    assert "too short" in message


def test_it_names_the_file_variable_when_the_file_cannot_be_read(tmp_path):
    message = refusal({"VEILLEUR_API_TOKEN_FILE": str(tmp_path / "missing")})
    assert "VEILLEUR_API_TOKEN_FILE=" in message
    assert "cannot read (No such file or directory)" in message


def test_it_refuses_an_empty_file_variable():
    assert "VEILLEUR_API_TOKEN_FILE is empty" in refusal(
        {"VEILLEUR_API_TOKEN_FILE": ""}
    )


def test_it_refuses_a_token_of_spaces_which_no_header_could_match():
    message = refusal({"VEILLEUR_API_TOKEN": " " * 20})
    assert message.startswith("VEILLEUR_API_TOKEN: the token is too short (0 ")


def test_it_strips_the_token_before_measuring_it():
    assert "too short" in refusal({"VEILLEUR_API_TOKEN": "  abcdefghijklm  "})
    assert load_settings({"VEILLEUR_API_TOKEN": f" {TOKEN} "}).api_token == TOKEN


@pytest.mark.parametrize(
    "token",
    ["abcdefgh ijklmnop", "abcdefgh\tijklmnop", "abcdéfghijklmnopq"],
    ids=["space", "tab", "accent"],
)
def test_it_refuses_a_token_a_client_cannot_send(token):
    message = refusal({"VEILLEUR_API_TOKEN": token})
    assert "contains a space, a control or a non-ASCII character" in message
    assert token not in message


def test_it_refuses_a_token_set_twice(tmp_path):
    path = tmp_path / "token"
    path.write_text(TOKEN, encoding="utf-8")
    env = {"VEILLEUR_API_TOKEN": TOKEN, "VEILLEUR_API_TOKEN_FILE": str(path)}
    assert "both VEILLEUR_API_TOKEN and VEILLEUR_API_TOKEN_FILE" in refusal(env)
