"""Process settings, from environment variables only, read and checked once at start.

Each default is written here once. A secret can also be read from a file named by
``<NAME>_FILE`` (for container and systemd credentials), never from the command line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class SettingsError(Exception):
    """A variable is set to something unusable; the message names it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    host: str  # where the web server listens
    port: int
    api_token: str | None  # None: writing endpoints refuse everyone
    concurrency: int  # probes running at once
    log_level: str

    @property
    def address(self) -> str:
        """``host:port``, with an IPv6 host in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.address}"


DEFAULTS = {
    "VEILLEUR_DATABASE_URL": "sqlite:///var/veilleur.db",
    "VEILLEUR_HOST": "127.0.0.1",
    "VEILLEUR_PORT": "8470",
    "VEILLEUR_CONCURRENCY": "256",
    "VEILLEUR_LOG_LEVEL": "INFO",
}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
TOKEN_MIN_LENGTH = 16

# Only ASCII digits: int() would also take "80_00", "+80" and other scripts' digits.
DIGITS = re.compile(r"[0-9]+")
# What a client can send after "Bearer " and the server compares byte for byte:
# printable ASCII without spaces (header values are read as Latin-1, then stripped).
TOKEN_CHARACTERS = re.compile(r"[!-~]+")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ

    def get(name: str) -> str:
        return env.get(name) or DEFAULTS[name]

    level = get("VEILLEUR_LOG_LEVEL").upper()
    if level not in LOG_LEVELS:
        raise SettingsError(
            f"VEILLEUR_LOG_LEVEL={level!r}: expected one of {', '.join(LOG_LEVELS)}"
        )
    return Settings(
        database_url=get("VEILLEUR_DATABASE_URL"),
        host=get("VEILLEUR_HOST"),
        port=_integer("VEILLEUR_PORT", get("VEILLEUR_PORT"), 1, 65535),
        api_token=_token(env, "VEILLEUR_API_TOKEN"),
        concurrency=_integer(
            "VEILLEUR_CONCURRENCY", get("VEILLEUR_CONCURRENCY"), 1, 10000
        ),
        log_level=level,
    )


def _integer(name: str, raw: str, low: int, high: int) -> int:
    text = raw.strip()
    if not DIGITS.fullmatch(text):
        raise SettingsError(
            f"{name}={raw!r}: expected a whole number from {low} to {high}, "
            f"written in digits 0-9 (default {DEFAULTS[name]})"
        )
    # The length test comes first: Python refuses to convert very long digit strings.
    if len(text.lstrip("0")) > len(str(high)) or not low <= int(text) <= high:
        raise SettingsError(f"{name}={raw!r}: expected a number from {low} to {high}")
    return int(text)


def _token(env: Mapping[str, str], name: str) -> str | None:
    """The API token from `name` or from the file `name`_FILE names, or None."""
    value = env.get(name)
    path = env.get(f"{name}_FILE")
    if value is not None and path is not None:
        raise SettingsError(f"both {name} and {name}_FILE are set: keep one")
    if path is not None:
        return _checked_token(f"{name}_FILE={path!r}", _read_secret(name, path))
    if value is not None:
        return _checked_token(name, value)
    return None


def _read_secret(name: str, path: str) -> str:
    variable = f"{name}_FILE={path!r}"
    if not path:
        raise SettingsError(f"{name}_FILE is empty: name the file, or unset it")
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SettingsError(
            f"{variable}: cannot read ({exc.strerror or exc})"
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(
            f"{variable}: not UTF-8 text (byte {raw[exc.start]:#04x} at offset "
            f"{exc.start}): write the token as plain text"
        ) from None


def _checked_token(source: str, value: str) -> str:
    """The stripped token; `source` names where it came from, never its value."""
    token = value.strip()
    if len(token) < TOKEN_MIN_LENGTH:
        raise SettingsError(
            f"{source}: the token is too short ({len(token)} characters once "
            f"stripped): use at least {TOKEN_MIN_LENGTH} random characters"
        )
    if not TOKEN_CHARACTERS.fullmatch(token):
        raise SettingsError(
            f"{source}: the token contains a space, a control or a non-ASCII "
            "character, which a client cannot send in an Authorization header: "
            "use letters, digits and punctuation"
        )
    return token
