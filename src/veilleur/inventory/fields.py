"""The fields of one inventory file, read with every problem located.

A `SourceFile` hands out the values of a file's mappings after checking their type and
range; what is wrong becomes a `Problem` with the file, line and path, and the caller
gets None and carries on, so that one run reports every mistake. Numbers and durations
must be finite and within the bounds of `veilleur.inventory.limits`: a NaN timeout
passes every comparison and crashes every probe later.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from veilleur.inventory.limits import MAX_ID_LENGTH
from veilleur.inventory.model import Problem
from veilleur.inventory.yamlfile import Path, format_path, key_text, show

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # matched whole: fullmatch
ID_RULE = "use letters, digits, '.', '_' or '-', starting with a letter or digit"
DURATION_PATTERN = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*")
DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: Any) -> float | None:
    """Seconds from 30, 2.5, "500ms", "30s", "5m", "1h", "2d"; None when unreadable.

    None also for what is not finite (.nan, .inf, a number of 400 digits).
    """
    seconds: float | None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = _as_float(value)
    elif isinstance(value, str) and (match := DURATION_PATTERN.fullmatch(value)):
        seconds = float(match.group(1)) * DURATION_UNITS[match.group(2) or "s"]
    else:
        return None
    if seconds is None or not math.isfinite(seconds):
        return None
    return seconds


def is_identifier(text: str) -> bool:
    return len(text) <= MAX_ID_LENGTH and ID_PATTERN.fullmatch(text) is not None


def kind_of(value: Any) -> str:
    """A person's word for the type of a YAML value."""
    if value is None:
        return "nothing"
    names: dict[type, str] = {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "a boolean",
        int: "a whole number",
        float: "a number",
    }
    return names.get(type(value), type(value).__name__)


def _as_float(value: int | float) -> float | None:
    try:
        return float(value)
    except OverflowError:
        return None


class SourceFile:
    """One file being read: its problems are located with its line map."""

    def __init__(self, name: str, lines: dict[Path, int], problems: list[Problem]):
        self.name = name
        self.lines = lines
        self.problems = problems

    def problem(self, path: Path, message: str) -> None:
        """Record a problem at `path`, on the line of its nearest located ancestor."""
        line = None
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                break
        self.problems.append(Problem(self.name, format_path(path), message, line))

    def mapping(self, value: Any, path: Path) -> Mapping[Any, Any] | None:
        if not isinstance(value, Mapping):
            self.problem(path, f"expected a mapping, got {kind_of(value)}")
            return None
        return value

    def sequence(self, value: Any, path: Path) -> list[Any]:
        """A list, or [] for nothing; anything else is a problem (and [])."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"expected a list, got {kind_of(value)}")
            return []
        return value

    def identifier(self, entry: Mapping[Any, Any], path: Path) -> str | None:
        value = entry.get("id")
        if value is None:
            self.problem(path, "missing field 'id'")
            return None
        # NB: a YAML `true` is an int to Python, and would become "True".
        text = str(value) if type(value) in (str, int) else None
        if text is None or not is_identifier(text):
            self.problem(
                (*path, "id"),
                f"invalid id {show(value)}: {ID_RULE}, "
                f"at most {MAX_ID_LENGTH} characters",
            )
            return None
        return text

    def text(
        self, entry: Mapping[Any, Any], key: str, path: Path, default: str
    ) -> str | None:
        """A free text field (a name, a role); a number is taken as its digits."""
        value = entry.get(key, default)
        if type(value) not in (str, int, float):
            self.problem((*path, key), f"expected text, got {kind_of(value)}")
            return None
        return str(value)

    def unknown_keys(
        self, entry: Mapping[Any, Any], allowed: Iterable[str] | None, path: Path
    ) -> bool:
        """Report keys that are not text, or not `allowed` (None: any text)."""
        known = None if allowed is None else set(allowed)
        ok = True
        for key in entry:
            where = (*path, key_text(key))
            if not isinstance(key, str):
                self.problem(where, _bad_key_message(key))
                ok = False
            elif known is not None and key not in known:
                self.problem(
                    where,
                    f"unknown field {key!r} (expected one of: "
                    f"{', '.join(sorted(known))})",
                )
                ok = False
        return ok

    def number(
        self,
        entry: Mapping[Any, Any],
        key: str,
        path: Path,
        *,
        maximum: float,
        integer: bool = False,
        minimum: float = 0,
        required: bool = True,
        default: float | None = None,
    ) -> Any:
        """A finite number from `minimum` to `maximum`; None (and a problem) if not."""
        value: Any = entry.get(key, default)
        if value is None:
            if required:
                self.problem(path, f"missing field {key!r}")
            return None
        if not is_number(value, integer=integer):
            expected = "a whole number" if integer else "a finite number"
            self.problem((*path, key), f"expected {expected}, got {show(value)}")
            return None
        if not minimum <= value <= maximum:
            self.problem(
                (*path, key),
                f"must be from {_say(minimum)} to {_say(maximum)}, got {show(value)}",
            )
            return None
        return value

    def duration(
        self,
        entry: Mapping[Any, Any],
        key: str,
        path: Path,
        *,
        minimum: float,
        maximum: float,
        default: Any = None,
    ) -> float | None:
        """Seconds from `minimum` to `maximum`; None (and a problem) if not."""
        raw = entry.get(key, default)
        seconds = parse_duration(raw)
        if seconds is None:
            self.problem(
                (*path, key),
                f"bad {key} {show(raw)}: write a duration such as 30s, 5m or 1h",
            )
            return None
        if not minimum <= seconds <= maximum:
            self.problem(
                (*path, key),
                f"bad {key} {show(raw)}: must be between {say_duration(minimum)} "
                f"and {say_duration(maximum)}",
            )
            return None
        return seconds


def is_number(value: Any, *, integer: bool = False) -> bool:
    """A finite int (or float, unless `integer`), not a YAML boolean."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return not integer and isinstance(value, float) and math.isfinite(value)


def say_duration(seconds: float) -> str:
    """A duration as a person writes it in the inventory: 0.1s, 90m, 24h, 30d."""
    if seconds > 86400 and seconds % 86400 == 0:
        return f"{seconds / 86400:g}d"  # up to a day, hours: the interval's "24h"
    for unit, size in (("h", 3600.0), ("m", 60.0)):
        if seconds and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def _say(number: float) -> str:
    """1000000000 -> "1,000,000,000", 0.5 -> "0.5"."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,g}"


def _bad_key_message(key: Any) -> str:
    if key is None:
        return "a key must be a name, got an empty key (~ or null)"
    if isinstance(key, bool):
        return (
            "a key must be a name, got a boolean: YAML reads yes, no, on, off, "
            "true and false as booleans, quote the word"
        )
    return f"a key must be a name, got {kind_of(key)} {show(key)}"
