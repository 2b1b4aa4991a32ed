"""Plain data shapes of the inventory, with no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from veilleur.inventory.scopes import Contact, Scope


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the configuration, located for the person who wrote it."""

    file: str
    path: str  # where inside the file, e.g. "platforms[0].environments[1].hosts[2]"
    message: str
    line: int | None = None  # 1-based, when the YAML node is known

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.path:
            where = f"{where}: {self.path}"
        return f"{where}: {self.message}"


class InventoryError(Exception):
    """The configuration cannot be used; `problems` says every place that is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the configuration:\n{lines}")


@dataclass(frozen=True)
class CheckSpec:
    """One thing to probe, fully resolved: defaults applied, templates expanded."""

    id: str  # globally unique: "platform/environment/host/check", ":port" for a range
    platform: str
    environment: str
    host: str  # the host instance's name
    name: str  # the check's id inside its host entry
    kind: str  # a key of veilleur.probes.kinds.KINDS
    interval: float  # seconds between two probes
    timeout: float  # seconds a probe may take before it counts as failed
    failures: int  # consecutive failed probes before the check is DOWN
    successes: int  # consecutive good probes before a DOWN check is UP again
    params: Any  # the kind's validated pydantic model
    target: str  # a short human description of what is probed (URL, host:port)


@dataclass(frozen=True)
class Host:
    """One virtual machine; a host entry with ``count: N`` yields N of these."""

    name: str
    role: str
    address: str  # what probes connect to; the name when no address is given
    vcpu: int | None  # None, with ram_gb and no disks: a VM whose size is not known
    ram_gb: float | None
    disks_gb: tuple[float, ...]  # system disk first, then data disks
    datacenter: str | None

    @property
    def disk_gb(self) -> float:
        return sum(self.disks_gb)

    @property
    def sized(self) -> bool:
        return self.vcpu is not None


@dataclass(frozen=True)
class Totals:
    vms: int = 0
    ram_gb: float = 0
    vcpu: int = 0
    disk_gb: float = 0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "vms": self.vms,
            "ram_gb": self.ram_gb,
            "vcpu": self.vcpu,
            "disk_gb": self.disk_gb,
        }


@dataclass(frozen=True)
class Environment:
    id: str
    kind: str  # DEV, QA or PROD
    name: str
    hosts: tuple[Host, ...]
    # The totals printed in the contract (any of vms, ram_gb, vcpu, disk_gb), to compare.
    stated: Mapping[str, float] | None

    def totals(self) -> Totals:
        sized = [h for h in self.hosts if h.sized]
        return Totals(
            vms=len(self.hosts),
            ram_gb=sum(h.ram_gb or 0 for h in sized),
            vcpu=sum(h.vcpu or 0 for h in sized),
            disk_gb=sum(h.disk_gb for h in sized),
        )


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    environments: tuple[Environment, ...]


@dataclass(frozen=True)
class Inventory:
    platforms: tuple[Platform, ...]
    checks: tuple[CheckSpec, ...]
    source: str  # the directory (or "built-in") it was read from
    scopes: tuple[Scope, ...] = ()
    contacts: Mapping[str, Contact] = field(default_factory=dict)
    by_id: Mapping[str, CheckSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {c.id: c for c in self.checks})

    def scope_of(self, platform: str, environment: str) -> Scope | None:
        """The scope covering an environment; None when no scope names it."""
        for scope in self.scopes:
            if scope.covers(platform, environment):
                return scope
        return None

    def scope(self, scope_id: str) -> Scope | None:
        return next((s for s in self.scopes if s.id == scope_id), None)

    def capacity(self) -> list[dict[str, Any]]:
        """Per platform and environment: computed totals beside the stated ones."""
        rows = []
        for platform in self.platforms:
            for env in platform.environments:
                computed = env.totals()
                row: dict[str, Any] = {
                    "platform": platform.id,
                    "environment": env.id,
                    "kind": env.kind,
                    **computed.as_dict(),
                    "unsized_vms": sum(1 for h in env.hosts if not h.sized),
                    "checks": sum(
                        1
                        for c in self.checks
                        if c.platform == platform.id and c.environment == env.id
                    ),
                }
                if env.stated is not None:
                    mine = computed.as_dict()
                    row["stated"] = dict(env.stated)
                    row["differences"] = {
                        key: mine[key] - value
                        for key, value in env.stated.items()
                        if mine[key] != value
                    }
                rows.append(row)
        return rows
