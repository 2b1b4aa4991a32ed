"""Process settings, from environment variables only, read and checked once at start.

Each default is written here once. A secret can also be read from a file named by
``<NAME>_FILE`` (for container and systemd credentials), never from the command line.
"""

from __future__ import annotations

import os
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
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


DEFAULTS = {
    "VEILLEUR_DATABASE_URL": "sqlite:///var/veilleur.db",
    "VEILLEUR_HOST": "127.0.0.1",
    "VEILLEUR_PORT": "8470",
    "VEILLEUR_CONCURRENCY": "256",
    "VEILLEUR_LOG_LEVEL": "INFO",
}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


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
        port=_integer("VEILLEUR_PORT", get("VEILLEUR_PORT"), 0, 65535),
        api_token=_secret(env, "VEILLEUR_API_TOKEN"),
        concurrency=_integer(
            "VEILLEUR_CONCURRENCY", get("VEILLEUR_CONCURRENCY"), 1, 10000
        ),
        log_level=level,
    )


def _integer(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a whole number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw!r}: expected a number from {low} to {high}")
    return value


def _secret(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    path = env.get(f"{name}_FILE")
    if value and path:
        raise SettingsError(f"both {name} and {name}_FILE are set: keep one")
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingsError(f"{name}_FILE={path!r}: cannot read ({exc})") from None
    if value is not None and len(value) < 16:
        raise SettingsError(f"{name} is too short: use at least 16 random characters")
    return value or None
