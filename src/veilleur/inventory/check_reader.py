"""Reading the checks of a host entry.

A check entry is read once for every VM of its host entry (`read_check_entry`): its
kind, settings and ports do not depend on the VM. Then, for each VM and each port, its
templates are expanded and its parameters validated by the kind's pydantic model
(`CheckEntry.specs`). A mistake found there is the same for every VM of a counted
entry, so the caller says it once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pydantic

from veilleur.inventory.fields import SourceFile
from veilleur.inventory.limits import (
    MAX_CHECK_ID,
    MAX_INTERVAL,
    MAX_PARAM_TEXT,
    MAX_PORTS,
    MAX_STREAK,
    MIN_INTERVAL,
    MIN_TIMEOUT,
)
from veilleur.inventory.model import CheckSpec, Host
from veilleur.inventory.templates import TemplateError, expand
from veilleur.inventory.yamlfile import Path, show
from veilleur.probes.base import ProbeKind
from veilleur.probes.kinds import KINDS

CHECK_SETTINGS = ("interval", "timeout", "failures", "successes")
PORT_RANGE = re.compile(r"\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?")
# A check named so would make /api/v1/checks/{id}/history mean two things.
RESERVED_CHECK_IDS = ("history",)


@dataclass(frozen=True)
class CheckSettings:
    interval: float  # seconds between two probes
    timeout: float  # seconds a probe may take
    failures: int  # consecutive failed probes before DOWN
    successes: int  # consecutive good probes before UP again


# Applied when neither the check nor its environment's check_defaults says otherwise.
CHECK_DEFAULTS = CheckSettings(interval=60.0, timeout=10.0, failures=3, successes=2)


@dataclass(frozen=True)
class CheckEntry:
    """One entry of a host entry's ``checks:``, read once for all its VMs."""

    name: str  # the entry's id, last part of the check id
    kind: ProbeKind
    settings: CheckSettings
    ports: tuple[int | None, ...]  # (None,) when the entry has no `ports:`
    params: Mapping[str, Any]  # the kind's parameters, templates not yet expanded
    path: Path

    def specs(
        self, f: SourceFile, platform: str, environment: str, host: Host, n: int
    ) -> list[CheckSpec] | None:
        """The checks of this entry on VM number `n`; None (and a problem) if wrong."""
        specs = []
        for port in self.ports:
            check_id = f"{platform}/{environment}/{host.name}/{self.name}"
            if port is not None:
                check_id += f":{port}"
            if len(check_id) > MAX_CHECK_ID:
                f.problem(
                    (*self.path, "id"),
                    f"check id {show(check_id)} is longer than {MAX_CHECK_ID} "
                    "characters: shorten the ids or the host name",
                )
                return None
            params = self._validated(f, host, n, port)
            if params is None:
                return None
            specs.append(self._spec(check_id, (platform, environment), host, params))
        return specs

    def _spec(
        self,
        check_id: str,
        where: tuple[str, str],
        host: Host,
        params: pydantic.BaseModel,
    ) -> CheckSpec:
        return CheckSpec(
            id=check_id,
            platform=where[0],
            environment=where[1],
            host=host.name,
            name=self.name,
            kind=self.kind.name,
            interval=self.settings.interval,
            timeout=self.settings.timeout,
            failures=self.settings.failures,
            successes=self.settings.successes,
            params=params,
            target=self.kind.describe(params),
        )

    def _validated(
        self, f: SourceFile, host: Host, n: int, port: int | None
    ) -> pydantic.BaseModel | None:
        raw = dict(self.params)
        if "host" in self.kind.params.model_fields and "host" not in raw:
            raw["host"] = host.address
        if port is not None:
            raw["port"] = port
        names: dict[str, str | int] = {
            "address": host.address,
            "name": host.name,
            "n": n,
        }
        if type(raw.get("port")) is int:
            names["port"] = raw["port"]
        expanded = _expand_params(f, raw, names, self.path)
        if expanded is None:
            return None
        try:
            return self.kind.params.model_validate(expanded)
        except pydantic.ValidationError as exc:
            for where, message in pydantic_problems(exc):
                f.problem((*self.path, *where), message)
            return None


def read_check_entry(
    f: SourceFile, raw: Any, path: Path, defaults: CheckSettings
) -> CheckEntry | None:
    """The parts of a check entry that are the same on every VM."""
    entry = f.mapping(raw, path)
    if entry is None:
        return None
    keys_ok = f.unknown_keys(entry, None, path)  # the kind's model knows the rest
    name = _check_name(f, entry, path)
    kind = _kind(f, entry, path)
    settings = read_check_settings(f, entry, path, defaults)
    ports = read_ports(f, entry.get("ports"), (*path, "ports"))
    if name is None or kind is None or settings is None or ports is None:
        return None
    if not keys_ok or not _ports_fit(f, entry, kind, path):
        return None
    params = {
        key: value
        for key, value in entry.items()
        if key not in ("id", "kind", "ports", *CHECK_SETTINGS)
    }
    return CheckEntry(name, kind, settings, ports, params, path)


def read_check_settings(
    f: SourceFile, entry: Mapping[Any, Any], path: Path, defaults: CheckSettings
) -> CheckSettings | None:
    """Interval, timeout, failures and successes; a missing one is the default's."""
    interval = f.duration(
        entry,
        "interval",
        path,
        minimum=MIN_INTERVAL,
        maximum=MAX_INTERVAL,
        default=defaults.interval,
    )
    timeout = f.duration(
        entry,
        "timeout",
        path,
        minimum=MIN_TIMEOUT,
        maximum=MAX_INTERVAL,
        default=defaults.timeout,
    )
    failures, successes = (
        f.number(
            entry,
            key,
            path,
            integer=True,
            minimum=1,
            maximum=MAX_STREAK,
            default=getattr(defaults, key),
        )
        for key in ("failures", "successes")
    )
    if interval is not None and timeout is not None and timeout > interval:
        f.problem(
            (*path, "timeout"),
            f"timeout ({timeout:g} s) is longer than the interval ({interval:g} s)",
        )
        return None
    if interval is None or timeout is None or failures is None or successes is None:
        return None
    return CheckSettings(interval, timeout, failures, successes)


def read_ports(f: SourceFile, raw: Any, path: Path) -> tuple[int | None, ...] | None:
    """A ``ports:`` range ("5001-5050"), port or list of them; (None,) when absent."""
    if raw is None:
        return (None,)
    ranges = []
    for item in raw if isinstance(raw, list) else [raw]:
        span = _port_range(item)
        if span is None:
            f.problem(
                path,
                f"bad port range {show(item)}: write 5001-5050 or 5432, "
                "with ports from 1 to 65535",
            )
            return None
        ranges.append(span)
    total = sum(high - low + 1 for low, high in ranges)
    if total == 0:
        f.problem(path, "no port: write 5001-5050 or 5432")
        return None
    if total > MAX_PORTS:
        f.problem(
            path,
            f"{total:,} ports: one check entry may range over at most {MAX_PORTS:,}",
        )
        return None
    ports = [port for low, high in ranges for port in range(low, high + 1)]
    if len(set(ports)) != len(ports):
        f.problem(path, "a port appears twice")
        return None
    return tuple(ports)


def pydantic_problems(exc: pydantic.ValidationError) -> list[tuple[Path, str]]:
    """(path, message) per field, in the inventory's words rather than pydantic's.

    Pydantic names the branch of a union in its paths (``expect_status.
    constrained-int``) and reports one error per branch; a field's errors are cut to
    the field name and list indexes, and only the deepest (the branch that went
    furthest) are kept, joined with "or".
    """
    by_field: dict[str, list[Any]] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        by_field.setdefault(field, []).append(error)
    problems: list[tuple[Path, str]] = []
    for errors in by_field.values():
        deepest = max(len(error["loc"]) for error in errors)
        messages: dict[Path, list[str]] = {}
        for error in errors:
            if len(error["loc"]) == deepest:
                where = _cut_loc(error["loc"])
                message = _pydantic_message(error)
                if message not in messages.setdefault(where, []):
                    messages[where].append(message)
        problems.extend(
            (where, " or ".join(texts)) for where, texts in messages.items()
        )
    return problems


def _check_name(f: SourceFile, entry: Mapping[Any, Any], path: Path) -> str | None:
    name = f.identifier(entry, path)
    if name in RESERVED_CHECK_IDS:
        f.problem(
            (*path, "id"),
            f"a check may not be called {name!r}: the API route "
            "/api/v1/checks/{id}/history would be ambiguous, choose another id",
        )
        return None
    return name


def _kind(f: SourceFile, entry: Mapping[Any, Any], path: Path) -> ProbeKind | None:
    name = entry.get("kind")
    if name is None:
        f.problem(path, "missing field 'kind'")
        return None
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        f.problem(
            (*path, "kind"),
            f"unknown probe kind {show(name)} "
            f"(expected one of: {', '.join(sorted(KINDS))})",
        )
    return kind


def _ports_fit(
    f: SourceFile, entry: Mapping[Any, Any], kind: ProbeKind, path: Path
) -> bool:
    if "ports" not in entry:
        return True
    if "port" not in kind.params.model_fields:
        f.problem((*path, "ports"), f"a {kind.name} check has no port to range over")
        return False
    if "port" in entry:
        f.problem((*path, "ports"), "give either port or ports, not both")
        return False
    return True


def _port_range(item: Any) -> tuple[int, int] | None:
    """(low, high) of "5001-5050", "5432" or 5432; None when unreadable."""
    if type(item) not in (str, int):
        return None
    match = PORT_RANGE.fullmatch(str(item))
    if not match:
        return None
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return (low, high) if 1 <= low <= high <= 65535 else None


def _expand_params(
    f: SourceFile, params: Mapping[str, Any], names: Mapping[str, str | int], path: Path
) -> dict[str, Any] | None:
    expanded = {}
    for key, value in params.items():
        if isinstance(value, str) and "{" in value:
            try:
                value = expand(value, names, MAX_PARAM_TEXT)
            except TemplateError as exc:
                f.problem((*path, key), f"bad template {show(value)}: {exc}")
                return None
        expanded[key] = value
    return expanded


def _cut_loc(loc: tuple[int | str, ...]) -> Path:
    """("expect_status", "tuple[constrained-int, ...]", 0) -> ("expect_status", 0)."""
    if not loc:
        return ()
    return (str(loc[0]), *(part for part in loc[1:] if isinstance(part, int)))


def _pydantic_message(error: Mapping[str, Any]) -> str:
    if error["type"] == "missing":
        return "missing field"
    if error["type"] == "extra_forbidden":
        return "unknown field for this probe kind"
    return f"{error['msg']} (got {show(error.get('input'))})"
