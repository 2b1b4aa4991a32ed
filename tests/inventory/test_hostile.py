"""An inventory written to break the loader: every attempt must end as located problems.

The promise: every mistake is reported in one run, with file, line and path, as an
`InventoryError` (the CLI exits 2) — never a traceback, never a hang, never a value
accepted that breaks the service later.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from textwrap import dedent, indent

import pytest

from veilleur.inventory import InventoryError, load_inventory

HOST = """\
platforms:
  - id: esidoc
    environments:
      - id: prod
        hosts:
          - id: web
{host}
            checks:
              - {check}
"""
TCP = "{id: ssh, kind: tcp, port: 22}"

CONTRACT = """\
contacts:
  - {{id: astreinte, channels: ["json://127.0.0.1:9/oncall"]}}
platforms:
  - {{id: esidoc, environments: [{{id: prod}}]}}
scopes:
  - id: documentation
    platforms: [esidoc]
    calendar: {calendar}
    guarantees: {guarantees}
    alert_chain: {chain}
"""
CHAIN = "{steps: [{after: 0m, notify: [astreinte]}]}"


def write(folder: Path, text: str, name: str = "inventory.yaml") -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(InventoryError) as caught:
        load_inventory(folder)
    return [str(p) for p in caught.value.problems]


def one_problem(folder: Path) -> str:
    found = problems(folder)
    assert len(found) == 1, found
    return found[0]


def host(folder: Path, fields: str = "address: 127.0.0.1", check: str = TCP) -> Path:
    lines = indent(dedent(fields), " " * 12).rstrip("\n")
    return write(folder, HOST.format(host=lines, check=check))


def contract(
    folder: Path, calendar: str = "{}", guarantees: str = "{}", chain: str = CHAIN
) -> Path:
    text = CONTRACT.format(calendar=calendar, guarantees=guarantees, chain=chain)
    return write(folder, text)


# ---------------------------------------------------------------------- templates


@pytest.mark.parametrize(
    ("fields", "where", "reason"),
    [
        ('name: "x-{n[0]}"', "hosts[0].name", "write a plain name"),
        ('name: "{id.upper}"', "hosts[0].name", "write a plain name"),
        ('name: "{0}"', "hosts[0].name", "write a plain name"),
        ('name: "{id!r}"', "hosts[0].name", "conversions are not allowed"),
        ('name: "x-{n:999999999}"', "hosts[0].name", "only a width of one digit"),
        ('name: "x-{n"', "hosts[0].name", "bad template"),
        ('name: "{id:3d}"', "hosts[0].name", "only a number takes a format"),
        ('address: "{name.nope}"', "hosts[0].address", "write a plain name"),
        ('address: "{nope}"', "hosts[0].address", "unknown name {nope}"),
    ],
)
def test_it_allows_only_plain_names_and_small_widths_in_templates(
    tmp_path, fields, where, reason
):
    problem = one_problem(host(tmp_path, fields))
    assert f"inventory.yaml:7: platforms[0].environments[0].{where}: " in problem
    assert reason in problem


def test_it_refuses_attribute_access_in_a_check_template(tmp_path):
    check = "{id: home, kind: http, url: 'http://{address.nope}/'}"
    problem = one_problem(host(tmp_path, check=check))
    assert "checks[0].url: bad template" in problem
    assert "write a plain name" in problem


@pytest.mark.parametrize(
    ("fields", "check", "reason"),
    [
        (f"name: {'a' * 201}", TCP, "more than 200 characters"),
        ('address: "{name}' + ".example" * 40 + '"', TCP, "more than 253"),
        ("name: " + "a" * 200 + "\naddress: '{name}.{name}'", TCP, "expands to 401"),
        (
            "",
            "{id: home, kind: http, url: 'http://{address}/" + "a" * 2000 + "'}",
            "more than 2,000",
        ),
    ],
)
def test_it_caps_the_length_of_expanded_text(tmp_path, fields, check, reason):
    assert reason in one_problem(host(tmp_path, fields, check))


def test_it_offers_the_vm_number_to_check_templates(tmp_path):
    folder = host(
        tmp_path, "count: 2", "{id: app, kind: http, url: 'http://{address}/{n}'}"
    )
    urls = [check.params.url for check in load_inventory(folder).checks]
    assert urls == ["http://web-001/1", "http://web-002/2"]


# ------------------------------------------------------------------------ values


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ("timeout: .nan", "bad timeout"),
        ("timeout: 0.000000001", "between 0.1s and 24h"),
        ("interval: .nan", "bad interval"),
        ("interval: .inf", "bad interval"),
        (f"interval: {'9' * 400}", "bad interval"),
        ("failures: 99999999999999999999", "from 1 to 100"),
        ("successes: 101", "from 1 to 100"),
    ],
)
def test_it_refuses_check_settings_that_would_break_the_probes(
    tmp_path, settings, reason
):
    problem = one_problem(
        host(tmp_path, check="{id: ssh, kind: tcp, port: 22, " + settings + "}")
    )
    assert "checks[0]." in problem and reason in problem


@pytest.mark.parametrize(
    ("sizes", "reason"),
    [
        ("vcpu: 2, ram_gb: .nan, disk_gb: 10", "ram_gb: expected a finite number"),
        ("vcpu: 2, ram_gb: .inf, disk_gb: 10", "ram_gb: expected a finite number"),
        ("vcpu: 2, ram_gb: 4, disk_gb: [10, .inf]", "disk_gb: expected a size"),
        ("vcpu: 2000, ram_gb: 4, disk_gb: 10", "vcpu: must be from 1 to 1,024"),
        ("vcpu: 2, ram_gb: 100000, disk_gb: 10", "must be from 0 to 65,536"),
        ("vcpu: 2, ram_gb: 4, disk_gb: 2000000", "at most 1,000,000"),
        ("vcpu: true, ram_gb: 4, disk_gb: 10", "vcpu: expected a whole number"),
    ],
)
def test_it_refuses_vm_sizes_that_are_not_finite_or_not_sane(tmp_path, sizes, reason):
    vcpu, ram, disk = sizes.split(", ", 2)
    assert reason in one_problem(host(tmp_path, f"{vcpu}\n{ram}\n{disk}"))


def test_it_refuses_a_stated_total_that_is_not_a_number(tmp_path):
    text = HOST.format(host="", check=TCP).replace(
        "      - id: prod\n", "      - id: prod\n        stated: {ram_gb: .nan}\n"
    )
    problem = one_problem(write(tmp_path, text))
    assert "stated.ram_gb: expected a finite number" in problem


@pytest.mark.parametrize(
    ("guarantees", "chain", "reason"),
    [
        ("{gti: .nan}", CHAIN, "guarantees.gti: bad gti"),
        ("{gtr: .inf}", CHAIN, "guarantees.gtr: bad gtr"),
        ("{gtr: 745h}", CHAIN, "between 1s and 30d"),
        ("{warn_before: .nan}", CHAIN, "guarantees.warn_before: bad warn_before"),
        ("{gtr: 4h, warn_before: 4h}", CHAIN, "must be shorter than gtr (4h)"),
        ("{}", "{steps: [{after: .inf, notify: [astreinte]}]}", "after: bad after"),
        ("{}", "{steps: [{after: 31d, notify: [astreinte]}]}", "between 0s and 30d"),
    ],
)
def test_it_refuses_delays_of_the_contract_that_are_not_finite_or_not_sane(
    tmp_path, guarantees, chain, reason
):
    folder = contract(tmp_path, guarantees=guarantees, chain=chain)
    assert reason in one_problem(folder)


def test_it_does_not_turn_a_yaml_boolean_into_an_id(tmp_path):
    problem = one_problem(host(tmp_path, check="{id: true, kind: tcp, port: 22}"))
    assert "checks[0].id: invalid id True" in problem


# ------------------------------------------------------------------- identifiers


def test_it_refuses_an_id_ending_with_a_newline(tmp_path):
    problem = one_problem(host(tmp_path, check='{id: "c\\n", kind: tcp, port: 22}'))
    assert "checks[0].id: invalid id 'c\\n'" in problem


@pytest.mark.parametrize("name", ['"a/b"', '""', '"hôte ü"', '"-a"'])
def test_it_holds_expanded_host_names_to_the_rule_of_ids(tmp_path, name):
    problem = one_problem(host(tmp_path, f"name: {name}"))
    assert "hosts[0].name: invalid host name" in problem


def test_it_refuses_an_address_with_spaces(tmp_path):
    problem = one_problem(host(tmp_path, 'address: "a b"'))
    assert "hosts[0].address: invalid address 'a b'" in problem


def test_it_refuses_ids_longer_than_the_database_holds(tmp_path):
    problem = one_problem(
        host(tmp_path, check="{id: " + "c" * 101 + ", kind: tcp, port: 22}")
    )
    assert "at most 100 characters" in problem


def test_it_refuses_a_check_named_like_the_history_route(tmp_path):
    problem = one_problem(host(tmp_path, check="{id: history, kind: tcp, port: 22}"))
    assert "checks[0].id: a check may not be called 'history'" in problem
    assert "/api/v1/checks/{id}/history" in problem


# ------------------------------------------------------------------------ limits


def test_it_refuses_a_count_beyond_ten_thousand(tmp_path):
    problem = one_problem(host(tmp_path, "count: 100000000"))
    assert "hosts[0].count: must be from 1 to 10,000" in problem


def test_it_refuses_a_port_range_beyond_a_thousand_ports(tmp_path):
    check = "{id: all, kind: tcp, ports: 1-65535}"
    problem = one_problem(host(tmp_path, "count: 200", check))
    assert (
        "checks[0].ports: 65,535 ports: one check entry may range over at most 1,000"
        in problem
    )


def test_it_says_once_that_there_are_more_than_200_000_checks(tmp_path):
    check = "{id: p, kind: tcp, ports: 1001-2000}"
    problem = one_problem(host(tmp_path, "count: 201", check))
    assert "more than 200,000 checks" in problem


def test_it_says_once_that_there_are_more_than_100_000_vms(tmp_path):
    entries = "".join(
        f"          - {{id: h{i}, count: 10000, checks: []}}\n" for i in range(11)
    )
    text = HOST.format(host="", check=TCP) + entries
    problem = one_problem(write(tmp_path, text))
    assert "hosts[10]: the inventory has more than 100,000 VMs" in problem


def test_it_refuses_an_alias_bomb_before_expanding_it(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    lines.append("platforms: *a8")
    problem = one_problem(write(tmp_path, "\n".join(lines) + "\n"))
    assert "too many nodes (more than 2,000,000 once aliases are expanded)" in problem


def test_it_refuses_an_alias_that_contains_itself(tmp_path):
    problem = one_problem(write(tmp_path, "platforms: &a [*a]\n"))
    assert "inventory.yaml:1: an alias refers to a value that contains it" in problem


@pytest.mark.parametrize("depth", [150, 5000])
def test_it_refuses_lists_nested_too_deeply(tmp_path, depth):
    folder = write(tmp_path, "platforms: " + "[" * depth + "]" * depth + "\n")
    assert "too deeply nested (more than 100 levels" in one_problem(folder)


def test_it_does_not_wait_on_a_fifo(tmp_path):
    fifo = tmp_path / "a.yaml"
    os.mkfifo(fifo)
    done = threading.Event()

    def write_if_anyone_reads() -> None:
        # Only a blocked reader lets this open succeed; it then gets valid YAML.
        while not done.wait(0.01):
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                continue
            os.write(fd, b"platforms: []\n")
            os.close(fd)
            return

    writer = threading.Thread(target=write_if_anyone_reads, daemon=True)
    writer.start()
    try:
        problem = one_problem(tmp_path)
    finally:
        done.set()
        writer.join()
    assert "a.yaml: not a regular file" in problem


def test_it_refuses_a_file_larger_than_a_million_bytes(tmp_path):
    write(tmp_path, "#" + "x" * 1_000_000)
    assert "larger than 1,000,000 bytes" in one_problem(tmp_path)


def test_it_refuses_an_inventory_larger_than_five_million_bytes(tmp_path):
    for name in "abcdef":
        write(tmp_path, "#" + "x" * 900_000 + "\n", f"{name}.yaml")
    problem = one_problem(tmp_path)
    assert "f.yaml: with this file, the inventory is larger than 5,000,000" in problem


def test_it_names_every_unreadable_file(tmp_path):
    (tmp_path / "a.yaml").write_bytes(b"\xff\xfe")
    (tmp_path / "b.yaml").write_bytes(b"\xff\xfe")
    found = problems(tmp_path)
    assert [p.split(": ")[0] for p in found] == [
        str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"),
    ]  # fmt: skip
    assert all("not UTF-8 text" in p for p in found)


# ---------------------------------------------------------- YAML values and keys


def test_it_locates_a_date_that_does_not_exist(tmp_path):
    calendar = (
        "\n      closures:\n        - {name: x, from: 2026-02-30, to: 2026-12-19}"
    )
    problem = one_problem(contract(tmp_path, calendar=calendar))
    assert "inventory.yaml:10: YAML error: '2026-02-30' is not a date" in problem
    assert "day is out of range for month" in problem


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("!!int abc", "'abc' is not a whole number"),
        ("!!float abc", "'abc' is not a number"),
        ("!!bool maybe", "'maybe' is not true or false"),
        ("!!timestamp nope", "'nope' is not a date"),
        ("1" * 5000, "is not a whole number"),
    ],
)
def test_it_locates_a_scalar_yaml_cannot_read(tmp_path, value, reason):
    folder = host(tmp_path, check="{id: ssh, kind: tcp, port: " + value + "}")
    problem = one_problem(folder)
    assert "inventory.yaml:9: YAML error: " in problem and reason in problem


def test_it_locates_a_control_character(tmp_path):
    problem = one_problem(write(tmp_path, "platforms: []\ncontacts: [\x07]\n"))
    assert "inventory.yaml:2: YAML error: character U+0007 is not allowed" in problem


@pytest.mark.parametrize(
    ("key", "path", "reason"),
    [
        ("~", "~", "got an empty key (~ or null)"),
        ("yes", "true", "got a boolean: YAML reads yes, no, on, off"),
    ],
)
def test_it_names_a_key_that_is_not_a_word_with_its_line(tmp_path, key, path, reason):
    problem = one_problem(write(tmp_path, f"platforms: []\n{key}: 1\n"))
    assert f"inventory.yaml:2: {path}: a key must be a name, {reason}" in problem


def test_it_names_a_probe_field_without_pydantic_s_union_branches(tmp_path):
    check = "{id: home, kind: http, url: 'http://x/', expect_status: [1000]}"
    problem = one_problem(host(tmp_path, check=check))
    assert (
        "checks[0].expect_status[0]: Input should be less than or equal to 599"
        in problem
    )


def test_it_sorts_problems_by_file_then_line(tmp_path):
    write(
        tmp_path,
        "scopes:\n  - {id: s, colour: red}\nplatforms:\n  - {id: p, x: 1}\n",
        "a.yaml",
    )
    write(tmp_path, "platforms:\n  - {id: q, y: 1}\n", "b.yaml")
    found = [p.split(": ")[0].rsplit("/", 1)[1] for p in problems(tmp_path)]
    assert found == ["a.yaml:2", "a.yaml:4", "b.yaml:2"]


# ------------------------------------------------------- every problem in one run


def test_it_reports_every_bad_guarantee(tmp_path):
    guarantees = "{gti: -1h, gtr: nope, counting: sometimes}"
    found = problems(contract(tmp_path, guarantees=guarantees))
    assert [p.split(": ")[1] for p in found] == [
        "scopes[0].guarantees.gti",
        "scopes[0].guarantees.gtr",
        "scopes[0].guarantees.counting",
    ]


def test_it_reports_every_bad_step_of_an_alert_chain(tmp_path):
    chain = "{steps: [{after: soon, notify: [astreinte]}, {after: 1h}, 3]}"
    found = problems(contract(tmp_path, chain=chain))
    assert [p.split(": ")[1] for p in found] == [
        "scopes[0].alert_chain.steps[0].after",
        "scopes[0].alert_chain.steps[1]",
        "scopes[0].alert_chain.steps[2]",
    ]


def test_it_reports_every_bad_channel_of_a_contact(tmp_path):
    text = "contacts:\n  - {id: a, channels: [nope, 'json://x/', 5]}\n"
    found = problems(write(tmp_path, text))
    assert [p.split(": ")[1] for p in found] == [
        "contacts[0].channels[0]",
        "contacts[0].channels[2]",
    ]


def test_it_reports_the_parts_of_a_scope_whose_id_is_wrong(tmp_path):
    text = CONTRACT.format(calendar="{}", guarantees="{gti: nope}", chain=CHAIN)
    found = problems(write(tmp_path, text.replace("id: documentation", "id: a/b")))
    assert [p.split(": ")[1] for p in found] == [
        "scopes[0].id",
        "scopes[0].guarantees.gti",
    ]


def test_it_reads_the_checks_of_a_vm_whose_size_is_wrong(tmp_path):
    folder = host(
        tmp_path, "vcpu: two\nram_gb: 4\ndisk_gb: 10", "{id: x, kind: telnet}"
    )
    found = problems(folder)
    assert [p.split(": ")[1].rsplit(".", 1)[1] for p in found] == ["vcpu", "kind"]


# ---------------------------------------------------------------------- calendar


@pytest.mark.parametrize(
    ("calendar", "where", "reason"),
    [
        ("{closures: 5}", "calendar.closures", "expected a list of {name"),
        ("{adhoc_days: 5}", "calendar.adhoc_days", "expected a list of days"),
        ("{holidays: FR}", "calendar.holidays", "expected {country: FR"),
        ("{holidays: [FR]}", "calendar.holidays", "expected {country: FR"),
        ("{timezone: UTC}", "calendar.timezone", "unknown field 'timezone'"),
        ("{holidays: {region: '57'}}", "calendar.holidays.region", "unknown field"),
        ("{holidays: {country: [FR]}}", "calendar.holidays.country", "country code"),
        ("{zone: [UTC]}", "calendar.zone", "unknown time zone"),
    ],
)
def test_it_checks_the_type_and_keys_of_every_calendar_value(
    tmp_path, calendar, where, reason
):
    problem = one_problem(contract(tmp_path, calendar=calendar))
    assert f"scopes[0].{where}: " in problem and reason in problem
