"""Reading the contract's side of the inventory: contacts and scopes.

A scope's parts (calendar, guarantees, alert chain) are each read to the end, so one
run names every mistake in them; the scope itself exists only when all are right.
References across files (contacts named by a chain, platforms named by a scope) are
checked by `resolve_scopes` once every file has been read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from veilleur.inventory.calendar_reader import read_calendar
from veilleur.inventory.fields import SourceFile, kind_of, say_duration
from veilleur.inventory.limits import MAX_DELAY
from veilleur.inventory.model import Platform
from veilleur.inventory.scopes import COUNTING, ChainStep, Contact, Guarantees, Scope
from veilleur.inventory.yamlfile import Path, show

SCOPE_KEYS = ("id", "name", "platforms", "calendar", "guarantees", "alert_chain")
CHANNEL_EXAMPLE = (
    "mailto://user:{env:SMTP_PASSWORD}@mail.example.org?to=oncall@example.org"
)

Chain = tuple[tuple[ChainStep, ...], tuple[str, ...], tuple[str, ...]]
T = TypeVar("T", Contact, Scope)


@dataclass(frozen=True)
class Located(Generic[T]):
    """A contact or scope with where it was written, until references are checked."""

    value: T
    file: SourceFile
    path: Path


def read_contact(f: SourceFile, raw: Any, path: Path) -> Contact | None:
    """A contact; None only when its id is wrong.

    With a wrong channel or name it is still returned, its mistakes said: the
    inventory is refused anyway, and the scopes that name it are not told it is
    unknown.
    """
    entry = f.mapping(raw, path)
    if entry is None:
        return None
    f.unknown_keys(entry, ("id", "name", "channels"), path)
    cid = f.identifier(entry, path)
    name = f.text(entry, "name", path, default=str(cid))
    channels = []
    for index, url in enumerate(f.sequence(entry.get("channels"), (*path, "channels"))):
        if isinstance(url, str) and "://" in url:
            channels.append(url)
            continue
        f.problem(
            (*path, "channels", index),
            f"bad channel {show(url)}: write an apprise URL such as " + CHANNEL_EXAMPLE,
        )
    if cid is None:
        return None
    return Contact(cid, name or cid, tuple(channels))


def read_scope(f: SourceFile, raw: Any, path: Path) -> Scope | None:
    entry = f.mapping(raw, path)
    if entry is None:
        return None
    f.unknown_keys(entry, SCOPE_KEYS, path)
    sid = f.identifier(entry, path)
    name = f.text(entry, "name", path, default=str(sid))
    members = _members(f, entry.get("platforms"), (*path, "platforms"))
    calendar_raw = f.mapping(entry.get("calendar", {}), (*path, "calendar"))
    calendar = None
    if calendar_raw is not None:
        calendar = read_calendar(f, str(sid), calendar_raw, (*path, "calendar"))
    guarantees = _guarantees(f, entry.get("guarantees"), (*path, "guarantees"))
    chain = _chain(f, entry.get("alert_chain"), (*path, "alert_chain"))
    if (
        sid is None
        or members is None
        or calendar is None
        or guarantees is None
        or chain is None
    ):
        return None

    if guarantees.counting == "business_hours" and not calendar.business_hours:
        f.problem(
            (*path, "guarantees", "counting"),
            "counting 'business_hours' needs business hours in the calendar",
        )
        return None
    steps, inform, in_hours = chain
    return Scope(
        sid, name or sid, members, calendar, guarantees, steps, inform, in_hours
    )


def _members(
    f: SourceFile, raw: Any, path: Path
) -> tuple[tuple[str, str | None], ...] | None:
    """("bcdi", None) for ``bcdi``, ("bcdi", "prod") for ``bcdi/prod``."""
    members = []
    ok = True
    for index, member in enumerate(f.sequence(raw, path)):
        if not isinstance(member, str):
            f.problem(
                (*path, index),
                f"expected a platform id or platform/environment, got {show(member)}",
            )
            ok = False
            continue
        platform, _, environment = member.partition("/")
        members.append((platform, environment or None))
    return tuple(members) if ok else None


def _guarantees(f: SourceFile, raw: Any, path: Path) -> Guarantees | None:
    if raw is None:
        return Guarantees()
    entry = f.mapping(raw, path)
    if entry is None:
        return None
    f.unknown_keys(entry, ("gti", "gtr", "counting", "warn_before"), path)
    defaults = Guarantees()
    gti, gtr, warn_before = (
        f.duration(entry, key, path, minimum=1.0, maximum=MAX_DELAY, default=fallback)
        for key, fallback in (
            ("gti", defaults.gti_s),
            ("gtr", defaults.gtr_s),
            ("warn_before", defaults.warn_before_s),
        )
    )
    counting = entry.get("counting", defaults.counting)
    if counting not in COUNTING:
        f.problem(
            (*path, "counting"),
            f"unknown counting {show(counting)} "
            f"(expected one of: {', '.join(COUNTING)})",
        )
    if gtr is not None and warn_before is not None and warn_before >= gtr:
        f.problem(
            (*path, "warn_before"),
            f"warn_before ({say_duration(warn_before)}) must be shorter than gtr "
            f"({say_duration(gtr)}): the on-call person is warned that long before "
            "the deadline",
        )
        return None
    if gti is None or gtr is None or warn_before is None or counting not in COUNTING:
        return None
    return Guarantees(
        gti_s=gti, gtr_s=gtr, counting=str(counting), warn_before_s=warn_before
    )


def _chain(f: SourceFile, raw: Any, path: Path) -> Chain | None:
    """(steps, inform, business_hours) of an ``alert_chain:`` mapping."""
    if raw is None:
        return (), (), ()
    entry = f.mapping(raw, path)
    if entry is None:
        return None
    f.unknown_keys(entry, ("steps", "inform", "business_hours"), path)
    raw_steps = f.sequence(entry.get("steps"), (*path, "steps"))
    steps = [
        _step(f, raw_step, (*path, "steps", index))
        for index, raw_step in enumerate(raw_steps)
    ]
    inform = _contact_ids(f, entry.get("inform"), (*path, "inform"))
    in_hours = _contact_ids(f, entry.get("business_hours"), (*path, "business_hours"))
    if None in steps or inform is None or in_hours is None:
        return None

    good = [step for step in steps if step is not None]
    if [s.after_s for s in good] != sorted(s.after_s for s in good):
        f.problem((*path, "steps"), "steps must come in the order of their delays")
        return None
    return tuple(good), inform, in_hours


def _step(f: SourceFile, raw: Any, path: Path) -> ChainStep | None:
    step = f.mapping(raw, path)
    if step is None:
        return None
    f.unknown_keys(step, ("after", "notify"), path)
    after = f.duration(step, "after", path, minimum=0.0, maximum=MAX_DELAY, default=0)
    notify = _contact_ids(f, step.get("notify"), (*path, "notify"))
    if notify == ():
        f.problem(path, "a step must notify at least one contact")
        return None
    if after is None or notify is None:
        return None
    return ChainStep(after, notify)


def _contact_ids(f: SourceFile, raw: Any, path: Path) -> tuple[str, ...] | None:
    ids = f.sequence(raw, path)
    bad = [i for i, cid in enumerate(ids) if type(cid) not in (str, int)]
    for index in bad:
        f.problem((*path, index), f"expected a contact id, got {kind_of(ids[index])}")
    return None if bad else tuple(str(cid) for cid in ids)


def resolve_scopes(
    scopes: list[Located[Scope]],
    contacts: list[Located[Contact]],
    platforms: list[Platform],
) -> None:
    """Check references across files: contacts, platforms, one scope per env."""
    contact_ids = _unique_ids(contacts, "contact")
    _unique_ids(scopes, "scope")
    environments = {(p.id, e.id) for p in platforms for e in p.environments}
    owner: dict[tuple[str, str], str] = {}
    for located in scopes:
        _check_members(located, environments, owner)
        _check_contacts(located, contact_ids)


def _unique_ids(
    located: list[Located[Contact]] | list[Located[Scope]], what: str
) -> set[str]:
    ids: set[str] = set()
    for item in located:
        if item.value.id in ids:
            item.file.problem(
                (*item.path, "id"), f"duplicate {what} id {item.value.id!r}"
            )
        ids.add(item.value.id)
    return ids


def _check_members(
    located: Located[Scope],
    environments: set[tuple[str, str]],
    owner: dict[tuple[str, str], str],
) -> None:
    """Every member names a known environment, and no other scope's."""
    scope = located.value
    for index, (platform, environment) in enumerate(scope.members):
        where = (*located.path, "platforms", index)
        matched = sorted(
            pe
            for pe in environments
            if pe[0] == platform and environment in (None, pe[1])
        )
        if not matched:
            name = platform if environment is None else f"{platform}/{environment}"
            located.file.problem(where, f"unknown platform or environment {name!r}")
        for pe in matched:
            if pe in owner and owner[pe] != scope.id:
                located.file.problem(
                    where, f"{pe[0]}/{pe[1]} is already in scope {owner[pe]!r}"
                )
            owner[pe] = scope.id


def _check_contacts(located: Located[Scope], contact_ids: set[str]) -> None:
    scope = located.value
    path = (*located.path, "alert_chain")
    for index, step in enumerate(scope.chain):
        for contact in step.contacts:
            if contact not in contact_ids:
                located.file.problem(
                    (*path, "steps", index, "notify"), f"unknown contact {contact!r}"
                )
    for key, contacts in (
        ("inform", scope.inform),
        ("business_hours", scope.business_hours),
    ):
        for contact in contacts:
            if contact not in contact_ids:
                located.file.problem((*path, key), f"unknown contact {contact!r}")
