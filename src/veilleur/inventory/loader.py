"""Reading and validating inventory files.

Every problem is collected, not only the first, so that one run of
``veilleur inventory`` shows a person everything to fix. A problem names the file, the
line and the path inside the file (``platforms[0].environments[1].hosts[2].vcpu``);
problems come out sorted by file, then line.

The modules around this one each read a part: `yamlfile` the YAML itself, with its
lines and its limits; `fields` the typed values of a mapping; `templates` the
``{name}`` texts; `check_reader` a host's checks; `scope_reader` and
`calendar_reader` the contract's scopes and contacts. `limits` says how large an
inventory may be, and why.

NB: a part whose id is wrong is not looked into further (its hosts or checks would
need the id to be named), but its siblings are: the problems below it show up once
the id is fixed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

from veilleur.inventory.check_reader import (
    CHECK_DEFAULTS,
    CHECK_SETTINGS,
    CheckEntry,
    CheckSettings,
    read_check_entry,
    read_check_settings,
)
from veilleur.inventory.fields import ID_PATTERN, ID_RULE, SourceFile, is_number
from veilleur.inventory.files import read_directory
from veilleur.inventory.limits import (
    MAX_ADDRESS,
    MAX_CHECKS,
    MAX_COUNT,
    MAX_DISK_GB,
    MAX_HOST_NAME,
    MAX_HOSTS,
    MAX_RAM_GB,
    MAX_STATED,
    MAX_VCPU,
)
from veilleur.inventory.model import (
    CheckSpec,
    Environment,
    Host,
    Inventory,
    InventoryError,
    Platform,
    Problem,
)
from veilleur.inventory.scope_reader import (
    Located,
    read_contact,
    read_scope,
    resolve_scopes,
)
from veilleur.inventory.scopes import Contact, Scope
from veilleur.inventory.templates import TemplateError, expand
from veilleur.inventory.yamlfile import Path, YamlSyntaxError, load_with_lines, show

ENVIRONMENT_KINDS = ("DEV", "QA", "PROD")
TOP_LEVEL_KEYS = ("platforms", "scopes", "contacts")
ENVIRONMENT_KEYS = ("id", "name", "kind", "stated", "check_defaults", "hosts")
HOST_KEYS = (
    *("id", "role", "count", "name", "address"),
    *("vcpu", "ram_gb", "disk_gb", "datacenter", "checks"),
)
STATED_KEYS = ("vms", "ram_gb", "vcpu", "disk_gb")
SIZE_KEYS = ("vcpu", "ram_gb", "disk_gb")

Size = tuple[int | None, float | None, tuple[float, ...]]  # vcpu, ram_gb, disks_gb


def load_inventory(directory: str | FsPath) -> Inventory:
    """Read every ``*.yaml``/``*.yml`` file of `directory` into one inventory."""
    sources, problems = read_directory(FsPath(directory))
    return _build(sources, str(directory), problems)


def load_sources(sources: Iterable[tuple[str, str]], source: str) -> Inventory:
    """Build an inventory from (file name, YAML text) pairs."""
    return _build(sources, source, [])


def _build(
    sources: Iterable[tuple[str, str]], source: str, problems: list[Problem]
) -> Inventory:
    builder = _Builder(problems)
    for name, text in sources:
        builder.read_file(name, text)
    resolve_scopes(builder.scopes, builder.contacts, builder.platforms)
    if builder.problems:
        raise InventoryError(
            sorted(builder.problems, key=lambda p: (p.file, p.line or 0))
        )
    return Inventory(
        platforms=tuple(builder.platforms),
        checks=tuple(builder.checks),
        source=source,
        scopes=tuple(located.value for located in builder.scopes),
        contacts={located.value.id: located.value for located in builder.contacts},
    )


class _Builder:
    """Platforms, checks, scopes and contacts of the files read so far."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.platforms: list[Platform] = []
        self.checks: list[CheckSpec] = []
        # Scopes and contacts refer to each other across files: kept with their file
        # and path until every file is read, then resolved.
        self.scopes: list[Located[Scope]] = []
        self.contacts: list[Located[Contact]] = []
        self._platform_files: dict[str, str] = {}
        self._check_ids: set[str] = set()
        self._host_count = 0
        self._full = False  # MAX_HOSTS or MAX_CHECKS reached, and said

    def read_file(self, name: str, text: str) -> None:
        try:
            data, lines, duplicates = load_with_lines(text)
        except YamlSyntaxError as exc:
            self.problems.append(Problem(name, "", str(exc), exc.line))
            return
        f = SourceFile(name, lines, self.problems)
        for path, _line in duplicates:
            f.problem(path, "duplicate key (the first value would be silently lost)")
        if data is None:
            return  # an empty file is allowed: a placeholder for later
        top = f.mapping(data, ())
        if top is None:
            return
        f.unknown_keys(top, TOP_LEVEL_KEYS, ())
        for path, raw in _items(f, top, "platforms"):
            platform = self._platform(f, raw, path)
            if platform is not None:
                self.platforms.append(platform)
        for path, raw in _items(f, top, "contacts"):
            contact = read_contact(f, raw, path)
            if contact is not None:
                self.contacts.append(Located(contact, f, path))
        for path, raw in _items(f, top, "scopes"):
            scope = read_scope(f, raw, path)
            if scope is not None:
                self.scopes.append(Located(scope, f, path))

    def _platform(self, f: SourceFile, raw: Any, path: Path) -> Platform | None:
        entry = f.mapping(raw, path)
        if entry is None:
            return None
        f.unknown_keys(entry, ("id", "name", "environments"), path)
        pid = f.identifier(entry, path)
        name = f.text(entry, "name", path, default=str(pid))
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
        for env_path, raw_env in _items(f, entry, "environments", path):
            env = self._environment(f, pid, raw_env, env_path)
            if env is None:
                continue
            if env.id in seen:
                f.problem((*env_path, "id"), f"duplicate environment id {env.id!r}")
                continue
            seen.add(env.id)
            environments.append(env)
        return Platform(pid, name or pid, tuple(environments))

    def _environment(
        self, f: SourceFile, platform: str, raw: Any, path: Path
    ) -> Environment | None:
        entry = f.mapping(raw, path)
        if entry is None:
            return None
        f.unknown_keys(entry, ENVIRONMENT_KEYS, path)
        eid = f.identifier(entry, path)
        name = f.text(entry, "name", path, default=str(eid))
        kind = _environment_kind(f, entry.get("kind", eid), path)
        stated = _stated(f, entry.get("stated"), (*path, "stated"))
        defaults = _check_defaults(f, entry.get("check_defaults"), path)
        if eid is None:
            return None

        hosts: list[Host] = []
        names: set[str] = set()
        for host_path, raw_host in _items(f, entry, "hosts", path):
            hosts.extend(
                self._host_entry(
                    f, (platform, eid), raw_host, host_path, defaults, names
                )
            )
        return Environment(eid, kind, name or eid, tuple(hosts), stated)

    def _host_entry(
        self,
        f: SourceFile,
        where: tuple[str, str],
        raw: Any,
        path: Path,
        defaults: CheckSettings,
        names: set[str],
    ) -> list[Host]:
        """The VMs of one host entry, their checks added; `names` are taken ones."""
        entry = f.mapping(raw, path)
        if entry is None:
            return []
        shared = _read_host_entry(f, entry, path, defaults)
        count = f.number(
            entry, "count", path, integer=True, minimum=1, maximum=MAX_COUNT, default=1
        )
        if shared is None or count is None:
            return []

        hosts = []
        broken: set[Path] = set()  # check entries whose problem was said, for one VM
        for n, name, address in self._names(f, entry, shared.id, count, path):
            if name in names:
                f.problem(path, f"duplicate host name {name!r}")
                break  # said once for a counted entry
            names.add(name)
            host = shared.host(n, name, address)
            hosts.append(host)
            for check in shared.checks:
                if check.path not in broken and not self._add_checks(
                    f, check, where, host, n
                ):
                    broken.add(check.path)
        return hosts

    def _names(
        self, f: SourceFile, entry: Mapping[Any, Any], hid: str, count: int, path: Path
    ) -> Iterable[tuple[int, str, str]]:
        """(n, name, address) of each VM of a host entry, while within limits."""
        name_template = f.text(
            entry, "name", path, default="{id}-{n:03d}" if count > 1 else "{id}"
        )
        address_template = f.text(entry, "address", path, default="{name}")
        if name_template is None or address_template is None:
            return
        for n in range(1, count + 1):
            if self._host_count >= MAX_HOSTS:
                self._say_full(f, path, f"more than {MAX_HOSTS:,} VMs")
                return
            values: dict[str, str | int] = {"id": hid, "n": n}
            name = _host_name(f, name_template, values, path)
            if name is None:
                return
            address = _address(f, address_template, {**values, "name": name}, path)
            if address is None:
                return
            self._host_count += 1
            yield n, name, address

    def _add_checks(
        self,
        f: SourceFile,
        entry: CheckEntry,
        where: tuple[str, str],
        host: Host,
        n: int,
    ) -> bool:
        """Add the checks of `entry` on one VM; False when a problem was said."""
        if self._full:
            return True
        specs = entry.specs(f, where[0], where[1], host, n)
        if specs is None:
            return False
        if len(self.checks) + len(specs) > MAX_CHECKS:
            self._say_full(f, entry.path, f"more than {MAX_CHECKS:,} checks")
            return False
        for spec in specs:
            if spec.id in self._check_ids:
                f.problem((*entry.path, "id"), f"duplicate check id {spec.id!r}")
                return False
        self._check_ids.update(spec.id for spec in specs)
        self.checks.extend(specs)
        return True

    def _say_full(self, f: SourceFile, path: Path, what: str) -> None:
        """Say once that the inventory is too large; stop adding to it."""
        if not self._full:
            f.problem(
                path,
                f"the inventory has {what}, the most Veilleur supervises: "
                "split it between several Veilleur instances",
            )
        self._full = True


def _items(
    f: SourceFile, entry: Mapping[Any, Any], key: str, path: Path = ()
) -> Iterable[tuple[Path, Any]]:
    """(path, value) of each item of the list under `key`."""
    for index, raw in enumerate(f.sequence(entry.get(key), (*path, key))):
        yield (*path, key, index), raw


@dataclass(frozen=True)
class _HostEntry:
    """What the VMs of a host entry share."""

    id: str
    role: str
    size: Size | None  # None when it is wrong, and said
    datacenters: list[str | None]  # used in turn
    checks: list[CheckEntry]  # the entries that are right

    def host(self, n: int, name: str, address: str) -> Host:
        """VM number `n` (from 1) of the entry."""
        vcpu, ram, disks = self.size or (None, None, ())
        return Host(
            name=name,
            role=self.role,
            address=address,
            vcpu=vcpu,
            ram_gb=ram,
            disks_gb=disks,
            datacenter=self.datacenters[(n - 1) % len(self.datacenters)],
        )


def _read_host_entry(
    f: SourceFile, entry: Mapping[Any, Any], path: Path, defaults: CheckSettings
) -> _HostEntry | None:
    """The shared fields of a host entry; None when its id is wrong.

    Even if its size or role is wrong, its VMs are named and their checks expanded:
    the inventory is refused anyway, and every problem is said in this run.
    """
    f.unknown_keys(entry, HOST_KEYS, path)
    hid = f.identifier(entry, path)
    role = f.text(entry, "role", path, default=str(hid))
    size = _size(f, entry, path)
    datacenters = _datacenters(f, entry.get("datacenter"), (*path, "datacenter"))
    checks = [
        read_check_entry(f, raw_check, check_path, defaults)
        for check_path, raw_check in _items(f, entry, "checks", path)
    ]
    if hid is None:
        return None
    right = [check for check in checks if check is not None]
    return _HostEntry(hid, role or hid, size, datacenters, right)


def _environment_kind(f: SourceFile, raw: Any, path: Path) -> str:
    """DEV, QA or PROD, from ``kind:`` or else the id; "" when it is neither."""
    if raw is None:
        return ""  # no kind and no id: the missing id is said
    kind = raw.upper() if isinstance(raw, str) else None
    if kind not in ENVIRONMENT_KINDS:
        f.problem(
            (*path, "kind"),
            f"unknown environment kind {show(raw)} "
            f"(expected one of: {', '.join(ENVIRONMENT_KINDS)})",
        )
    return kind or ""


def _stated(f: SourceFile, raw: Any, path: Path) -> dict[str, float] | None:
    """The totals the contract states, to compare with the ones computed."""
    if raw is None:
        return None
    entry = f.mapping(raw, path)
    if entry is None:
        return None
    f.unknown_keys(entry, STATED_KEYS, path)
    stated = {}
    for key in STATED_KEYS:
        value = f.number(entry, key, path, maximum=MAX_STATED, required=False)
        if value is not None:
            stated[key] = value
    return stated


def _check_defaults(f: SourceFile, raw: Any, env_path: Path) -> CheckSettings:
    """The environment's check_defaults; a mistake is said here, once."""
    if raw is None:
        return CHECK_DEFAULTS
    path = (*env_path, "check_defaults")
    entry = f.mapping(raw, path)
    if entry is None:
        return CHECK_DEFAULTS
    f.unknown_keys(entry, CHECK_SETTINGS, path)
    settings = read_check_settings(f, entry, path, CHECK_DEFAULTS)
    return CHECK_DEFAULTS if settings is None else settings


def _size(f: SourceFile, entry: Mapping[Any, Any], path: Path) -> Size | None:
    """(vcpu, ram_gb, disks) of a VM; a VM with none of the three is not sized."""
    if not any(key in entry for key in SIZE_KEYS):
        return None, None, ()
    vcpu = f.number(entry, "vcpu", path, integer=True, minimum=1, maximum=MAX_VCPU)
    ram = f.number(entry, "ram_gb", path, maximum=MAX_RAM_GB)
    disks = _disks(f, entry, path)
    if vcpu is None or ram is None or disks is None:
        return None
    return vcpu, ram, disks


def _disks(
    f: SourceFile, entry: Mapping[Any, Any], path: Path
) -> tuple[float, ...] | None:
    raw = entry.get("disk_gb")
    if raw is None:
        f.problem(path, "missing field 'disk_gb'")
        return None
    values = raw if isinstance(raw, list) else [raw]
    if not values or not all(_is_disk(value) for value in values):
        f.problem(
            (*path, "disk_gb"),
            "expected a size in GB or a list of sizes (system disk first), each "
            f"over 0 and at most {MAX_DISK_GB:,}, got {show(raw)}",
        )
        return None
    return tuple(values)


def _is_disk(value: Any) -> bool:
    return is_number(value) and 0 < value <= MAX_DISK_GB


def _datacenters(f: SourceFile, raw: Any, path: Path) -> list[str | None]:
    """One datacenter, or a list used in turn by the VMs of a counted entry."""
    if raw is None:
        return [None]
    values = raw if isinstance(raw, list) else [raw]
    if not values or not all(isinstance(v, str) and v for v in values):
        f.problem(
            path, f"expected a datacenter name or a list of names, got {show(raw)}"
        )
        return [None]
    return list(values)


def _host_name(
    f: SourceFile, template: str, values: Mapping[str, str | int], path: Path
) -> str | None:
    """A VM's name: its template expanded, then held to the rule of ids."""
    try:
        name = expand(template, values, MAX_HOST_NAME)
    except TemplateError as exc:
        f.problem((*path, "name"), f"bad template {show(template)}: {exc}")
        return None
    if not ID_PATTERN.fullmatch(name):
        f.problem(
            (*path, "name"),
            f"invalid host name {show(name)} (from {show(template)}): {ID_RULE}",
        )
        return None
    return name


def _address(
    f: SourceFile, template: str, values: Mapping[str, str | int], path: Path
) -> str | None:
    """What probes connect to: a DNS name or an IP address, from its template."""
    try:
        address = expand(template, values, MAX_ADDRESS)
    except TemplateError as exc:
        f.problem((*path, "address"), f"bad template {show(template)}: {exc}")
        return None
    if not address or not all(c.isprintable() and not c.isspace() for c in address):
        f.problem(
            (*path, "address"),
            f"invalid address {show(address)}: write a host name or an IP address, "
            "without spaces",
        )
        return None
    return address
