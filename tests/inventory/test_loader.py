"""Validation of inventory files: every mistake named with its file, line and path."""

from pathlib import Path
from textwrap import dedent

import pytest

from veilleur.inventory import InventoryError, load_inventory

HOST = """\
platforms:
  - id: esidoc
    environments:
      - id: prod
        hosts:
          - id: web
            address: 127.0.0.1
            vcpu: 2
            ram_gb: 4
            disk_gb: [10, 30]
            checks:
{checks}
"""


def write(tmp_path: Path, text: str, name: str = "inventory.yaml") -> Path:
    (tmp_path / name).write_text(dedent(text), encoding="utf-8")
    return tmp_path


def problems(folder: Path) -> list[str]:
    with pytest.raises(InventoryError) as caught:
        load_inventory(folder)
    return [str(p) for p in caught.value.problems]


def with_checks(tmp_path: Path, checks: str) -> Path:
    indented = "\n".join(" " * 14 + line for line in dedent(checks).splitlines())
    return write(tmp_path, HOST.format(checks=indented))


def test_it_loads_a_valid_inventory_and_applies_defaults(tmp_path):
    inv = load_inventory(with_checks(tmp_path, "- {id: ssh, kind: tcp, port: 22}"))
    [check] = inv.checks
    assert check.id == "esidoc/prod/web/ssh"
    assert (check.interval, check.timeout, check.failures, check.successes) == (
        60.0, 10.0, 3, 2,
    )  # fmt: skip
    assert check.params.host == "127.0.0.1"
    assert check.target == "127.0.0.1:22"


def test_it_names_an_unknown_probe_kind_with_its_line(tmp_path):
    folder = with_checks(tmp_path, "- {id: ssh, kind: telnet, port: 22}")
    [problem] = problems(folder)
    assert problem.startswith(f"{folder / 'inventory.yaml'}:12: ")
    assert "platforms[0].environments[0].hosts[0].checks[0].kind" in problem
    assert "unknown probe kind 'telnet'" in problem


def test_it_refuses_a_bad_interval(tmp_path):
    folder = with_checks(tmp_path, "- {id: ssh, kind: tcp, port: 22, interval: often}")
    [problem] = problems(folder)
    assert "checks[0].interval: bad interval 'often'" in problem


def test_it_refuses_an_interval_under_one_second(tmp_path):
    folder = with_checks(
        tmp_path, "- {id: ssh, kind: tcp, port: 22, interval: 500ms, timeout: 100ms}"
    )
    [problem] = problems(folder)
    assert "must be between 1s and 24h" in problem


def test_it_refuses_a_timeout_longer_than_the_interval(tmp_path):
    folder = with_checks(
        tmp_path, "- {id: ssh, kind: tcp, port: 22, interval: 10s, timeout: 30s}"
    )
    [problem] = problems(folder)
    assert "timeout (30 s) is longer than the interval (10 s)" in problem


def test_it_refuses_duplicate_check_ids(tmp_path):
    folder = with_checks(
        tmp_path,
        """\
        - {id: ssh, kind: tcp, port: 22}
        - {id: ssh, kind: tcp, port: 2222}
        """,
    )
    [problem] = problems(folder)
    assert "checks[1].id: duplicate check id 'esidoc/prod/web/ssh'" in problem


def test_it_names_a_missing_field_of_the_probe(tmp_path):
    [problem] = problems(with_checks(tmp_path, "- {id: ssh, kind: tcp}"))
    assert "checks[0].port: missing field" in problem


def test_it_names_a_missing_host_field(tmp_path):
    folder = write(
        tmp_path,
        """\
        platforms:
          - id: bcdi
            environments:
              - id: prod
                hosts:
                  - {id: db, vcpu: 2, disk_gb: 20}
        """,
    )
    [problem] = problems(folder)
    assert (
        ":6: platforms[0].environments[0].hosts[0]: missing field 'ram_gb'" in problem
    )


def test_it_reports_a_yaml_syntax_error_with_its_line(tmp_path):
    folder = write(tmp_path, "platforms:\n  - id: bcdi\n    name: [unclosed\n")
    [problem] = problems(folder)
    assert "inventory.yaml:4: YAML syntax error" in problem


def test_it_refuses_a_duplicate_yaml_key(tmp_path):
    folder = write(
        tmp_path,
        """\
        platforms:
          - id: bcdi
            id: esidoc
        """,
    )
    [problem] = problems(folder)
    assert ":3: platforms[0].id: duplicate key" in problem


def test_it_refuses_a_platform_defined_in_two_files(tmp_path):
    write(tmp_path, "platforms: [{id: bcdi}]", "a.yaml")
    write(tmp_path, "platforms: [{id: bcdi}]", "b.yaml")
    [problem] = problems(tmp_path)
    assert "duplicate platform id 'bcdi' (already defined in" in problem


def test_it_refuses_unknown_fields_and_environment_kinds(tmp_path):
    folder = write(
        tmp_path,
        """\
        platforms:
          - id: bcdi
            colour: blue
            environments:
              - id: staging
        """,
    )
    found = problems(folder)
    assert any("platforms[0].colour: unknown field 'colour'" in p for p in found)
    assert any("unknown environment kind 'staging'" in p for p in found)


def test_it_collects_every_problem_in_one_run(tmp_path):
    folder = with_checks(
        tmp_path,
        """\
        - {id: a, kind: tcp}
        - {id: b, kind: nope}
        - {id: c, kind: tcp, port: 22, failures: 0}
        """,
    )
    assert len(problems(folder)) == 3


def test_it_expands_counted_hosts_and_port_ranges(tmp_path):
    folder = write(
        tmp_path,
        """\
        platforms:
          - id: bcdi
            environments:
              - id: prod
                hosts:
                  - id: bcdi
                    count: 3
                    name: "bcdi-{n:03d}"
                    address: "{name}.example.invalid"
                    vcpu: 2
                    ram_gb: 4
                    disk_gb: [10, 60]
                    checks:
                      - {id: process, kind: tcp, ports: "5001-5004"}
        """,
    )
    inv = load_inventory(folder)
    assert len(inv.checks) == 3 * 4
    assert inv.by_id["bcdi/prod/bcdi-002/process:5003"].params.host == (
        "bcdi-002.example.invalid"
    )
    [row] = inv.capacity()
    # 3 VMs of 4 GB, 2 vCPU and 10 + 60 GB of disk.
    assert (row["vms"], row["ram_gb"], row["vcpu"], row["disk_gb"]) == (3, 12, 6, 210)


def test_it_refuses_a_directory_without_yaml(tmp_path):
    [problem] = problems(tmp_path)
    assert "no *.yaml or *.yml file" in problem


def test_it_refuses_a_missing_directory(tmp_path):
    [problem] = problems(tmp_path / "nowhere")
    assert "not a directory" in problem


COUNTED = """\
platforms:
  - id: bcdi
    environments:
      - id: prod
        check_defaults: {defaults}
        hosts:
          - id: bcdi
            count: 4
            datacenter: [dc1, dc2]
            vcpu: 2
            ram_gb: 4
            disk_gb: 10
            checks:
              - {check}
"""


def counted(tmp_path, check="{id: p, kind: tcp, port: 5001}", defaults="{}"):
    return write(tmp_path, COUNTED.format(check=check, defaults=defaults))


def test_a_mistake_in_a_counted_entry_is_said_once(tmp_path):
    assert len(problems(counted(tmp_path, "{id: p, kind: tcp}"))) == 1


def test_a_bad_check_default_is_said_once_where_it_is_written(tmp_path):
    [problem] = problems(counted(tmp_path, defaults="{interval: soon}"))
    assert ":5: platforms[0].environments[0].check_defaults.interval" in problem


def test_port_and_ports_together_are_refused(tmp_path):
    folder = counted(tmp_path, "{id: p, kind: tcp, port: 1, ports: 2-3}")
    [problem] = problems(folder)
    assert "either port or ports" in problem


def test_a_list_of_datacenters_is_used_in_turn(tmp_path):
    inv = load_inventory(counted(tmp_path))
    [env] = inv.platforms[0].environments
    assert [h.datacenter for h in env.hosts] == ["dc1", "dc2", "dc1", "dc2"]
