"""Reading and validating inventory files.

Every problem is collected, not only the first, so that one run of
``veilleur inventory`` shows a person everything to fix. A problem names the file, the
line and the path inside the file (``platforms[0].environments[1].hosts[2].vcpu``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from pathlib import Path as FsPath
from typing import Any

import pydantic

from veilleur.inventory.model import (
    CheckSpec,
    Environment,
    Host,
    Inventory,
    InventoryError,
    Platform,
    Problem,
)
from veilleur.inventory.scopes import (
    COUNTING,
    ChainStep,
    Contact,
    Guarantees,
    Scope,
    build_calendar,
)
from veilleur.inventory.yamlfile import (
    Path,
    YamlSyntaxError,
    format_path,
    load_with_lines,
)
from veilleur.probes.kinds import KINDS

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
DURATION_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
ENVIRONMENT_KINDS = ("DEV", "QA", "PROD")
TOP_LEVEL_KEYS = {"platforms", "scopes", "contacts"}
STATED_KEYS = ("vms", "ram_gb", "vcpu", "disk_gb")

# Applied when neither the check nor its environment's check_defaults says otherwise.
CHECK_DEFAULTS: dict[str, Any] = {
    "interval": 60.0,
    "timeout": 10.0,
    "failures": 3,
    "successes": 2,
}
MIN_INTERVAL, MAX_INTERVAL = 1.0, 86400.0
CHECK_SETTINGS = ("interval", "timeout", "failures", "successes")


def load_inventory(directory: str | FsPath) -> Inventory:
    """Read every ``*.yaml``/``*.yml`` file of `directory` into one inventory."""
    folder = FsPath(directory)
    if not folder.is_dir():
        raise InventoryError(
            [
                Problem(
                    str(folder), "", "not a directory (expected inventory YAML files)"
                )
            ]
        )
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    if not files:
        raise InventoryError(
            [Problem(str(folder), "", "no *.yaml file in this directory")]
        )
    sources = []
    for file in files:
        try:
            sources.append((str(file), file.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise InventoryError(
                [Problem(str(file), "", f"cannot read: {exc}")]
            ) from exc
    return load_sources(sources, source=str(folder))


def load_sources(sources: Iterable[tuple[str, str]], source: str) -> Inventory:
    """Build an inventory from (file name, YAML text) pairs."""
    builder = _Builder()
    for name, text in sources:
        builder.read_file(name, text)
    builder.resolve_scopes()
    if builder.problems:
        raise InventoryError(builder.problems)
    return Inventory(
        platforms=tuple(builder.platforms),
        checks=tuple(builder.checks),
        source=source,
        scopes=tuple(scope for scope, _, _ in builder.scopes),
        contacts={c.id: c for c, _, _ in builder.contacts},
    )


def parse_duration(value: Any) -> float | None:
    """Seconds from 30, 2.5, "500ms", "30s", "5m", "1h"; None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = DURATION_PATTERN.match(value)
        if match:
            return float(match.group(1)) * DURATION_UNITS[match.group(2)]
    return None


class _File:
    """One file being read: its problems are located with its line map."""

    def __init__(self, name: str, lines: dict[Path, int], problems: list[Problem]):
        self.name = name
        self.lines = lines
        self.problems = problems

    def problem(self, path: Path, message: str) -> None:
        line = None
        probe = path
        while probe and line is None:
            line = self.lines.get(probe)
            probe = probe[:-1]
        self.problems.append(Problem(self.name, format_path(path), message, line))

    def mapping(self, value: Any, path: Path) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.problem(path, f"expected a mapping, got {_kind_of(value)}")
            return None
        return value

    def sequence(self, value: Any, path: Path) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"expected a list, got {_kind_of(value)}")
            return []
        return value

    def identifier(self, entry: Mapping[str, Any], path: Path) -> str | None:
        value = entry.get("id")
        if value is None:
            self.problem(path, "missing field 'id'")
            return None
        if not isinstance(value, str | int) or not ID_PATTERN.match(str(value)):
            self.problem(
                (*path, "id"),
                f"invalid id {value!r}: use letters, digits, '.', '_' or '-'",
            )
            return None
        return str(value)

    def unknown_keys(
        self, entry: Mapping[str, Any], allowed: Iterable[str], path: Path
    ) -> None:
        allowed = set(allowed)
        for key in entry:
            if key not in allowed:
                self.problem(
                    (*path, str(key)),
                    f"unknown field {key!r} (expected one of: "
                    f"{', '.join(sorted(allowed))})",
                )

    def number(
        self,
        entry: Mapping[str, Any],
        key: str,
        path: Path,
        *,
        integer: bool = False,
        minimum: float = 0,
        required: bool = True,
        default: float | None = None,
    ) -> Any:
        value: Any = entry.get(key, default)
        if value is None:
            if required:
                self.problem(path, f"missing field {key!r}")
            return None
        kinds: tuple[type, ...] = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            expected = "a whole number" if integer else "a number"
            self.problem((*path, key), f"expected {expected}, got {value!r}")
            return None
        if value < minimum:  # type: ignore[operator]
            self.problem((*path, key), f"must be at least {minimum:g}, got {value!r}")
            return None
        return value


class _Builder:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.platforms: list[Platform] = []
        self.checks: list[CheckSpec] = []
        self._platform_files: dict[str, str] = {}
        self._check_ids: set[str] = set()
        # Scopes and contacts refer to each other across files: kept with their file
        # and path until every file is read, then resolved.
        self.scopes: list[tuple[Scope, _File, Path]] = []
        self.contacts: list[tuple[Contact, _File, Path]] = []

    def read_file(self, name: str, text: str) -> None:
        try:
            data, lines, duplicates = load_with_lines(text)
        except YamlSyntaxError as exc:
            self.problems.append(Problem(name, "", str(exc), exc.line))
            return
        f = _File(name, lines, self.problems)
        for path, _line in duplicates:
            f.problem(path, "duplicate key (the first value would be silently lost)")
        if data is None:
            return  # an empty file is allowed: a placeholder for later
        top = f.mapping(data, ())
        if top is None:
            return
        f.unknown_keys(top, TOP_LEVEL_KEYS, ())
        for index, raw in enumerate(f.sequence(top.get("platforms"), ("platforms",))):
            platform = self._platform(f, raw, ("platforms", index))
            if platform is not None:
                self.platforms.append(platform)
        for index, raw in enumerate(f.sequence(top.get("contacts"), ("contacts",))):
            contact = self._contact(f, raw, ("contacts", index))
            if contact is not None:
                self.contacts.append((contact, f, ("contacts", index)))
        for index, raw in enumerate(f.sequence(top.get("scopes"), ("scopes",))):
            scope = self._scope(f, raw, ("scopes", index))
            if scope is not None:
                self.scopes.append((scope, f, ("scopes", index)))

    def _contact(self, f: _File, raw: Any, path: Path) -> Contact | None:
        entry = f.mapping(raw, path)
        if entry is None:
            return None
        f.unknown_keys(entry, {"id", "name", "channels"}, path)
        cid = f.identifier(entry, path)
        channels = f.sequence(entry.get("channels"), (*path, "channels"))
        for index, url in enumerate(channels):
            if not isinstance(url, str) or "://" not in url:
                f.problem(
                    (*path, "channels", index),
                    f"bad channel {url!r}: write an apprise URL such as "
                    "mailto://user:{env:SMTP_PASSWORD}@mail.example.org?to=oncall@example.org",
                )
                return None
        if cid is None:
            return None
        return Contact(cid, str(entry.get("name", cid)), tuple(channels))

    def _scope(self, f: _File, raw: Any, path: Path) -> Scope | None:
        entry = f.mapping(raw, path)
        if entry is None:
            return None
        f.unknown_keys(
            entry,
            {"id", "name", "platforms", "calendar", "guarantees", "alert_chain"},
            path,
        )
        sid = f.identifier(entry, path)
        members = []
        for member in f.sequence(entry.get("platforms"), (*path, "platforms")):
            platform, _, environment = str(member).partition("/")
            members.append((platform, environment or None))
        calendar_raw = f.mapping(entry.get("calendar", {}), (*path, "calendar"))
        if sid is None or calendar_raw is None:
            return None
        calendar = build_calendar(
            sid,
            calendar_raw,
            lambda sub, message: f.problem((*path, "calendar", *sub), message),
        )
        guarantees = self._guarantees(f, entry.get("guarantees"), (*path, "guarantees"))
        chain = self._chain(f, entry.get("alert_chain"), (*path, "alert_chain"))
        if calendar is None or guarantees is None or chain is None:
            return None
        if guarantees.counting == "business_hours" and not calendar.business_hours:
            f.problem(
                (*path, "guarantees", "counting"),
                "counting 'business_hours' needs business hours in the calendar",
            )
            return None
        steps, inform, in_hours = chain
        return Scope(
            sid,
            str(entry.get("name", sid)),
            tuple(members),
            calendar,
            guarantees,
            steps,
            inform,
            in_hours,
        )

    def _guarantees(self, f: _File, raw: Any, path: Path) -> Guarantees | None:
        if raw is None:
            return Guarantees()
        entry = f.mapping(raw, path)
        if entry is None:
            return None
        f.unknown_keys(entry, {"gti", "gtr", "counting", "warn_before"}, path)
        values: dict[str, Any] = {}
        for key, field_name in (
            ("gti", "gti_s"),
            ("gtr", "gtr_s"),
            ("warn_before", "warn_before_s"),
        ):
            if key in entry:
                seconds = parse_duration(entry[key])
                if seconds is None or seconds <= 0:
                    f.problem(
                        (*path, key), f"bad duration {entry[key]!r}: write 2h or 30m"
                    )
                    return None
                values[field_name] = seconds
        counting = entry.get("counting", "coverage")
        if counting not in COUNTING:
            f.problem(
                (*path, "counting"),
                f"unknown counting {counting!r} (expected one of: {', '.join(COUNTING)})",
            )
            return None
        return Guarantees(counting=counting, **values)

    def _chain(
        self, f: _File, raw: Any, path: Path
    ) -> tuple[tuple[ChainStep, ...], tuple[str, ...], tuple[str, ...]] | None:
        """(steps, inform, business_hours) of an ``alert_chain:`` mapping."""
        if raw is None:
            return (), (), ()
        entry = f.mapping(raw, path)
        if entry is None:
            return None
        f.unknown_keys(entry, {"steps", "inform", "business_hours"}, path)
        steps = []
        for index, raw_step in enumerate(
            f.sequence(entry.get("steps"), (*path, "steps"))
        ):
            where = (*path, "steps", index)
            step = f.mapping(raw_step, where)
            if step is None:
                return None
            f.unknown_keys(step, {"after", "notify"}, where)
            after = parse_duration(step.get("after", 0))
            if after is None or after < 0:
                f.problem(
                    (*where, "after"),
                    f"bad delay {step.get('after')!r}: write 0m or 30m",
                )
                return None
            notify = f.sequence(step.get("notify"), (*where, "notify"))
            if not notify:
                f.problem(where, "a step must notify at least one contact")
                return None
            steps.append(ChainStep(after, tuple(str(c) for c in notify)))
        if [s.after_s for s in steps] != sorted(s.after_s for s in steps):
            f.problem((*path, "steps"), "steps must come in the order of their delays")
            return None
        inform, in_hours = (
            tuple(str(c) for c in f.sequence(entry.get(key), (*path, key)))
            for key in ("inform", "business_hours")
        )
        return tuple(steps), inform, in_hours

    def resolve_scopes(self) -> None:
        """Check references across files: contacts, platforms, one scope per env."""
        contact_ids: set[str] = set()
        for known, f, path in self.contacts:
            if known.id in contact_ids:
                f.problem((*path, "id"), f"duplicate contact id {known.id!r}")
            contact_ids.add(known.id)
        environments = {(p.id, e.id) for p in self.platforms for e in p.environments}
        owner: dict[tuple[str, str], str] = {}
        scope_ids: set[str] = set()
        for scope, f, path in self.scopes:
            if scope.id in scope_ids:
                f.problem((*path, "id"), f"duplicate scope id {scope.id!r}")
            scope_ids.add(scope.id)
            for index, (platform, environment) in enumerate(scope.members):
                where = (*path, "platforms", index)
                matched = [
                    pe
                    for pe in environments
                    if pe[0] == platform and environment in (None, pe[1])
                ]
                if not matched:
                    f.problem(where, f"unknown platform or environment {platform!r}"
                              + (f"/{environment!r}" if environment else ""))  # fmt: skip
                for pe in matched:
                    if pe in owner and owner[pe] != scope.id:
                        f.problem(
                            where,
                            f"{pe[0]}/{pe[1]} is already in scope {owner[pe]!r}",
                        )
                    owner[pe] = scope.id
            for index, step in enumerate(scope.chain):
                for contact in step.contacts:
                    if contact not in contact_ids:
                        f.problem(
                            (*path, "alert_chain", "steps", index, "notify"),
                            f"unknown contact {contact!r}",
                        )
            for key in ("inform", "business_hours"):
                for contact in getattr(scope, key):
                    if contact not in contact_ids:
                        f.problem(
                            (*path, "alert_chain", key), f"unknown contact {contact!r}"
                        )

    def _platform(self, f: _File, raw: Any, path: Path) -> Platform | None:
        entry = f.mapping(raw, path)
        if entry is None:
            return None
        f.unknown_keys(entry, {"id", "name", "environments"}, path)
        pid = f.identifier(entry, path)
        if pid is None:
            return None
        if pid in self._platform_files:
            f.problem(
                (*path, "id"),
                f"duplicate platform id {pid!r} "
                f"(already defined in {self._platform_files[pid]})",
            )
            return None
        self._platform_files[pid] = f.name

        environments = []
        seen: set[str] = set()
        raw_envs = f.sequence(entry.get("environments"), (*path, "environments"))
        for index, raw_env in enumerate(raw_envs):
            env_path = (*path, "environments", index)
            env = self._environment(f, pid, raw_env, env_path)
            if env is None:
                continue
            if env.id in seen:
                f.problem((*env_path, "id"), f"duplicate environment id {env.id!r}")
                continue
            seen.add(env.id)
            environments.append(env)
        return Platform(pid, str(entry.get("name", pid)), tuple(environments))

    def _environment(
        self, f: _File, platform: str, raw: Any, path: Path
    ) -> Environment | None:
        entry = f.mapping(raw, path)
        if entry is None:
            return None
        f.unknown_keys(
            entry, {"id", "name", "kind", "stated", "check_defaults", "hosts"}, path
        )
        eid = f.identifier(entry, path)
        if eid is None:
            return None
        kind = str(entry.get("kind", eid)).upper()
        if kind not in ENVIRONMENT_KINDS:
            f.problem(
                (*path, "kind"),
                f"unknown environment kind {entry.get('kind', eid)!r} "
                f"(expected one of: {', '.join(ENVIRONMENT_KINDS)})",
            )
        stated = self._stated(f, entry.get("stated"), (*path, "stated"))
        defaults = self._check_defaults(f, entry.get("check_defaults"), path)

        hosts: list[Host] = []
        host_names: set[str] = set()
        # A mistake in a check of a counted entry is said once, not once per VM.
        broken: set[Path] = set()
        for index, raw_host in enumerate(
            f.sequence(entry.get("hosts"), (*path, "hosts"))
        ):
            host_path = (*path, "hosts", index)
            for host, checks in self._hosts(f, raw_host, host_path):
                if host.name in host_names:
                    f.problem(host_path, f"duplicate host name {host.name!r}")
                    continue
                host_names.add(host.name)
                hosts.append(host)
                for raw_check, check_path in checks:
                    if check_path in broken:
                        continue
                    if not self._checks(
                        f, platform, eid, host, raw_check, check_path, defaults
                    ):
                        broken.add(check_path)
        return Environment(eid, kind, str(entry.get("name", eid)), tuple(hosts), stated)

    def _stated(self, f: _File, raw: Any, path: Path) -> dict[str, float] | None:
        if raw is None:
            return None
        entry = f.mapping(raw, path)
        if entry is None:
            return None
        f.unknown_keys(entry, STATED_KEYS, path)
        stated = {}
        for key in STATED_KEYS:
            value = f.number(entry, key, path, required=False)
            if value is not None:
                stated[key] = value
        return stated

    def _check_defaults(self, f: _File, raw: Any, env_path: Path) -> dict[str, Any]:
        defaults = dict(CHECK_DEFAULTS)
        if raw is None:
            return defaults
        path = (*env_path, "check_defaults")
        entry = f.mapping(raw, path)
        if entry is None:
            return defaults
        f.unknown_keys(entry, CHECK_SETTINGS, path)
        merged = {**defaults, **{k: v for k, v in entry.items() if k in CHECK_SETTINGS}}
        if self._check_settings(f, entry, path, merged) is None:
            return defaults  # said once here; the checks fall back to the defaults
        return merged

    def _hosts(
        self, f: _File, raw: Any, path: Path
    ) -> list[tuple[Host, list[tuple[Any, Path]]]]:
        entry = f.mapping(raw, path)
        if entry is None:
            return []
        f.unknown_keys(
            entry,
            {
                "id",
                "role",
                "count",
                "name",
                "address",
                "vcpu",
                "ram_gb",
                "disk_gb",
                "datacenter",
                "checks",
            },
            path,
        )
        hid = f.identifier(entry, path)
        count = f.number(entry, "count", path, integer=True, minimum=1, default=1)
        # A host of unknown size (none of the three given) is counted, not summed.
        sized = any(key in entry for key in ("vcpu", "ram_gb", "disk_gb"))
        vcpu = f.number(entry, "vcpu", path, integer=True, minimum=1, required=sized)
        ram = f.number(entry, "ram_gb", path, minimum=0, required=sized)
        disks = self._disks(f, entry, path) if sized else ()
        if hid is None or count is None or (sized and None in (vcpu, ram, disks)):
            return []
        name_template = str(entry.get("name", "{id}-{n:03d}" if count > 1 else "{id}"))
        address_template = entry.get("address")
        datacenters = self._datacenters(
            f, entry.get("datacenter"), (*path, "datacenter")
        )
        raw_checks = f.sequence(entry.get("checks"), (*path, "checks"))
        checks = [(c, (*path, "checks", i)) for i, c in enumerate(raw_checks)]
        if datacenters is None or disks is None:
            return []

        hosts = []
        for n in range(1, count + 1):
            values = {"id": hid, "n": n}
            name = _expand(f, name_template, values, (*path, "name"))
            address = name
            if name is not None and address_template is not None:
                address = _expand(
                    f,
                    str(address_template),
                    {**values, "name": name},
                    (*path, "address"),
                )
            if name is None or address is None:
                return []
            host = Host(
                name=name,
                role=str(entry.get("role", hid)),
                address=address,
                vcpu=vcpu,
                ram_gb=ram,
                disks_gb=disks,
                datacenter=datacenters[(n - 1) % len(datacenters)],
            )
            hosts.append((host, checks))
        return hosts

    def _datacenters(self, f: _File, raw: Any, path: Path) -> list[str | None] | None:
        """One datacenter, or a list used in turn by the VMs of a counted entry."""
        if raw is None:
            return [None]
        values = raw if isinstance(raw, list) else [raw]
        if not values or not all(isinstance(v, str) and v for v in values):
            f.problem(
                path, f"expected a datacenter name or a list of names, got {raw!r}"
            )
            return None
        return list(values)

    def _disks(
        self, f: _File, entry: Mapping[str, Any], path: Path
    ) -> tuple[float, ...] | None:
        raw = entry.get("disk_gb")
        if raw is None:
            f.problem(path, "missing field 'disk_gb'")
            return None
        values = raw if isinstance(raw, list) else [raw]
        if not values or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v > 0
            for v in values
        ):
            f.problem(
                (*path, "disk_gb"),
                f"expected a size in GB or a list of sizes (system disk first), "
                f"got {raw!r}",
            )
            return None
        return tuple(values)

    def _checks(
        self,
        f: _File,
        platform: str,
        environment: str,
        host: Host,
        raw: Any,
        path: Path,
        defaults: Mapping[str, Any],
    ) -> bool:
        """Add the check(s) of one entry for `host`; False when the entry is wrong."""
        entry = f.mapping(raw, path)
        if entry is None:
            return False
        cid = f.identifier(entry, path)
        kind_name = entry.get("kind")
        if kind_name is None:
            f.problem(path, "missing field 'kind'")
            return False
        kind = KINDS.get(str(kind_name))
        if kind is None:
            f.problem(
                (*path, "kind"),
                f"unknown probe kind {kind_name!r} "
                f"(expected one of: {', '.join(sorted(KINDS))})",
            )
            return False
        settings = self._check_settings(f, entry, path, defaults)
        ports = self._ports(f, entry.get("ports"), (*path, "ports"))
        if cid is None or settings is None or ports is None:
            return False

        params_fields = kind.params.model_fields
        if "ports" in entry and "port" not in params_fields:
            f.problem(
                (*path, "ports"), f"a {kind.name} check has no port to range over"
            )
            return False
        if "ports" in entry and "port" in entry:
            f.problem((*path, "ports"), "give either port or ports, not both")
            return False
        raw_params = {
            k: v
            for k, v in entry.items()
            if k not in ("id", "kind", "ports", *CHECK_SETTINGS)
        }
        values = {"address": host.address, "name": host.name}
        for port in ports:
            params = dict(raw_params)
            if "host" in params_fields and "host" not in params:
                params["host"] = host.address
            if port is not None:
                params["port"] = port
            names = values if port is None else {**values, "port": port}
            expanded = _expand_params(f, params, names, path)
            if expanded is None:
                return False
            try:
                model = kind.params.model_validate(expanded)
            except pydantic.ValidationError as exc:
                for error in exc.errors():
                    loc = tuple(str(p) for p in error["loc"])
                    f.problem((*path, *loc), _pydantic_message(error))
                return False
            check_id = f"{platform}/{environment}/{host.name}/{cid}"
            if port is not None:
                check_id += f":{port}"
            if check_id in self._check_ids:
                f.problem((*path, "id"), f"duplicate check id {check_id!r}")
                return False
            self._check_ids.add(check_id)
            self.checks.append(
                CheckSpec(
                    id=check_id,
                    platform=platform,
                    environment=environment,
                    host=host.name,
                    name=cid,
                    kind=kind.name,
                    params=model,
                    target=kind.describe(model),
                    **settings,
                )
            )
        return True

    def _check_settings(
        self,
        f: _File,
        entry: Mapping[str, Any],
        path: Path,
        defaults: Mapping[str, Any],
    ) -> dict[str, Any] | None:
        merged = {key: entry.get(key, defaults[key]) for key in CHECK_SETTINGS}
        ok = True
        for key in ("interval", "timeout"):
            seconds = parse_duration(merged[key])
            if seconds is None or seconds <= 0:
                f.problem(
                    (*path, key),
                    f"bad {key} {merged[key]!r}: write a duration such as 30s, 5m or 1h",
                )
                ok = False
            merged[key] = seconds
        if ok and not MIN_INTERVAL <= merged["interval"] <= MAX_INTERVAL:
            f.problem(
                (*path, "interval"),
                f"bad interval {entry.get('interval', merged['interval'])!r}: "
                "must be between 1s and 24h",
            )
            ok = False
        if ok and merged["timeout"] > merged["interval"]:
            f.problem(
                (*path, "timeout"),
                f"timeout ({merged['timeout']:g} s) is longer than the interval "
                f"({merged['interval']:g} s)",
            )
            ok = False
        for key in ("failures", "successes"):
            value = merged[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                f.problem(
                    (*path, key), f"expected a whole number from 1, got {value!r}"
                )
                ok = False
        return merged if ok else None

    def _ports(self, f: _File, raw: Any, path: Path) -> list[int | None] | None:
        """A ``ports:`` range ("5001-5050") or list; [None] when absent."""
        if raw is None:
            return [None]
        items = raw if isinstance(raw, list) else [raw]
        ports: list[int | None] = []
        for item in items:
            text = str(item).strip()
            match = re.fullmatch(r"(\d+)\s*-\s*(\d+)|(\d+)", text)
            if not match:
                f.problem(path, f"bad port range {item!r}: write 5001-5050 or 5432")
                return None
            low = int(match.group(1) or match.group(3))
            high = int(match.group(2) or match.group(3))
            if not 1 <= low <= high <= 65535:
                f.problem(path, f"bad port range {item!r}: ports go from 1 to 65535")
                return None
            ports.extend(range(low, high + 1))
        if len(set(ports)) != len(ports):
            f.problem(path, "a port appears twice")
            return None
        return ports


def _expand(
    f: _File, template: str, values: Mapping[str, Any], path: Path
) -> str | None:
    try:
        return string.Formatter().vformat(template, (), dict(values))
    except (KeyError, IndexError, ValueError) as exc:
        f.problem(
            path,
            f"bad template {template!r} ({exc}); usable names: "
            f"{', '.join('{' + k + '}' for k in values)}",
        )
        return None


def _expand_params(
    f: _File, params: Mapping[str, Any], values: Mapping[str, Any], path: Path
) -> dict[str, Any] | None:
    expanded = {}
    for key, value in params.items():
        if isinstance(value, str) and "{" in value:
            text = _expand(f, value, values, (*path, key))
            if text is None:
                return None
            expanded[key] = text
        else:
            expanded[key] = value
    return expanded


def _pydantic_message(error: Mapping[str, Any]) -> str:
    if error["type"] == "missing":
        return "missing field"
    if error["type"] == "extra_forbidden":
        return "unknown field for this probe kind"
    return f"{error['msg']} (got {error.get('input')!r})"


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    names: dict[type, str] = {dict: "a mapping", list: "a list", str: "text"}
    return names.get(type(value), type(value).__name__)
