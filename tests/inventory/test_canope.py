"""The client's example inventory (examples/canope) against its own tables.

Every expected figure below was added up by hand from the virtual machine tables of the
client's specification (§2.2, §2.3, §3; copied in inventory-tables.md), not taken from
the program. Per row: count × per-VM value; disks are system + data disk per VM.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from veilleur.inventory import Inventory, load_inventory

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "canope"


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return load_inventory(EXAMPLES)


def capacity_row(
    inventory: Inventory, platform: str, environment: str
) -> dict[str, Any]:
    rows = [
        row
        for row in inventory.capacity()
        if row["platform"] == platform and row["environment"] == environment
    ]
    assert len(rows) == 1, f"expected one capacity row for {platform}/{environment}"
    return rows[0]


def computed(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("vms", "ram_gb", "vcpu", "disk_gb")}


def test_it_reads_the_four_platforms_and_their_environments(
    inventory: Inventory,
) -> None:
    environments = {
        platform.id: [(env.id, env.kind) for env in platform.environments]
        for platform in inventory.platforms
    }
    assert environments == {
        "bcdi": [("prod", "PROD"), ("qa", "QA")],
        "esidoc": [("prod", "PROD"), ("qa", "QA"), ("dev", "DEV")],
        "fondamentaux": [("prod", "PROD")],
        "bases-internes": [("prod", "PROD")],
    }


# ---------------------------------------------------------------------------- BCDI
# Rows in table order: template, BCDI servers, Elasticsearch, firewalls, logs, MySQL,
# supervision, supervision web, upload web server.


def test_it_counts_bcdi_production_from_the_rows(inventory: Inventory) -> None:
    # VMs:  1 + 110 + 1 + 2 + 1 + 1 + 1 + 1 + 1 = 119
    # RAM:  1 + 110×4 + 4 + 2×1 + 2 + 2 + 9 + 4 + 4
    #       = 1 + 440 + 4 + 2 + 2 + 2 + 9 + 4 + 4 = 468
    # vCPU: 1 + 110×2 + 4 + 2×1 + 1 + 2 + 4 + 2 + 2
    #       = 1 + 220 + 4 + 2 + 1 + 2 + 4 + 2 + 2 = 238
    # Disk: 10 + 110×(10+60) + (10+20) + 2×10 + (10+20) + (10+10) + (10+1000)
    #       + (10+180) + (10+20)
    #       = 10 + 7700 + 30 + 20 + 30 + 20 + 1010 + 190 + 30 = 9040
    row = capacity_row(inventory, "bcdi", "prod")
    assert computed(row) == {"vms": 119, "ram_gb": 468, "vcpu": 238, "disk_gb": 9040}


def test_it_counts_bcdi_qualification_from_the_rows(inventory: Inventory) -> None:
    # VMs:  1 + 5 + 1 + 2 + 1 + 1 + 1 + 1 + 1 = 14
    # RAM:  1 + 5×4 + 4 + 2×1 + 2 + 2 + 8 + 4 + 4
    #       = 1 + 20 + 4 + 2 + 2 + 2 + 8 + 4 + 4 = 47
    # vCPU: 1 + 5×2 + 4 + 2×1 + 1 + 2 + 4 + 2 + 2
    #       = 1 + 10 + 4 + 2 + 1 + 2 + 4 + 2 + 2 = 28
    # Disk: 10 + 5×(10+60) + (10+20) + 2×10 + (10+10) + (10+10) + (10+20)
    #       + (10+180) + (10+10)
    #       = 10 + 350 + 30 + 20 + 20 + 20 + 30 + 190 + 20 = 690
    row = capacity_row(inventory, "bcdi", "qa")
    assert computed(row) == {"vms": 14, "ram_gb": 47, "vcpu": 28, "disk_gb": 690}


# -------------------------------------------------------------------------- E-sidoc
# Rows in table order: template, API web ×2, processing, tasks ×2, Elasticsearch ×2,
# ES broker, FTP, Git, GLPI, proxy ×2, log server, log search, DB, cache ×2,
# static images ×2, static code, supervision, administration, VPN (not in DEV).


def test_it_counts_esidoc_production_from_the_rows(inventory: Inventory) -> None:
    # VMs:  1+2+1+2+2+1+1+1+1+2+1+1+1+2+2+1+1+1+1 = 25
    # RAM:  1 + 2×4 + 8 + 2×4 + 2×16 + 2 + 2 + 2 + 2 + 2×2 + 2 + 16 + 16 + 2×4 + 2×8
    #       + 1 + 4 + 4 + 1
    #       = 1+8+8+8+32+2+2+2+2+4+2+16+16+8+16+1+4+4+1 = 137
    # vCPU: 1 + 2×2 + 4 + 2×4 + 2×4 + 1 + 2 + 1 + 1 + 2×2 + 2 + 4 + 4 + 2×2 + 2×2
    #       + 1 + 4 + 2 + 1
    #       = 1+4+4+8+8+1+2+1+1+4+2+4+4+4+4+1+4+2+1 = 60
    # Disk: 10 + 2×10 + 40 + 2×40 + 2×190 + 10 + 90 + 30 + 20 + 2×10 + 210 + 160
    #       + 110 + 2×20 + 2×310 + 10 + 90 + 190 + 10
    #       = 10+20+40+80+380+10+90+30+20+20+210+160+110+40+620+10+90+190+10 = 2140
    row = capacity_row(inventory, "esidoc", "prod")
    assert computed(row) == {"vms": 25, "ram_gb": 137, "vcpu": 60, "disk_gb": 2140}


def test_it_counts_esidoc_qualification_from_the_rows(inventory: Inventory) -> None:
    # Same rows as production except: Git 1 GB RAM, log server 10+120, log search
    # 10+60, cache servers 2 GB RAM and 1 vCPU.
    # VMs:  1+2+1+2+2+1+1+1+1+2+1+1+1+2+2+1+1+1+1 = 25
    # RAM:  1 + 2×4 + 8 + 2×4 + 2×16 + 2 + 2 + 1 + 2 + 2×2 + 2 + 16 + 16 + 2×2 + 2×8
    #       + 1 + 4 + 4 + 1
    #       = 1+8+8+8+32+2+2+1+2+4+2+16+16+4+16+1+4+4+1 = 132
    # vCPU: 1 + 2×2 + 4 + 2×4 + 2×4 + 1 + 2 + 1 + 1 + 2×2 + 2 + 4 + 4 + 2×1 + 2×2
    #       + 1 + 4 + 2 + 1
    #       = 1+4+4+8+8+1+2+1+1+4+2+4+4+2+4+1+4+2+1 = 58
    # Disk: 10 + 2×10 + 40 + 2×40 + 2×190 + 10 + 90 + 30 + 20 + 2×10 + 130 + 70
    #       + 110 + 2×20 + 2×310 + 10 + 90 + 190 + 10
    #       = 10+20+40+80+380+10+90+30+20+20+130+70+110+40+620+10+90+190+10 = 1970
    row = capacity_row(inventory, "esidoc", "qa")
    assert computed(row) == {"vms": 25, "ram_gb": 132, "vcpu": 58, "disk_gb": 1970}


def test_it_counts_esidoc_development_from_the_rows(inventory: Inventory) -> None:
    # No VPN row.
    # VMs:  1+2+1+2+2+1+1+1+1+2+1+1+1+2+2+1+1+1 = 24
    # RAM:  1 + 2×2 + 8 + 2×2 + 2×4 + 2 + 2 + 1 + 1 + 2×2 + 1 + 4 + 8 + 2×2 + 2×2
    #       + 1 + 4 + 4
    #       = 1+4+8+4+8+2+2+1+1+4+1+4+8+4+4+1+4+4 = 65
    # vCPU: 1 + 2×1 + 4 + 2×2 + 2×2 + 1 + 2 + 1 + 1 + 2×1 + 1 + 2 + 2 + 2×1 + 2×1
    #       + 1 + 4 + 2
    #       = 1+2+4+4+4+1+2+1+1+2+1+2+2+2+2+1+4+2 = 38
    # Disk: 10 + 2×10 + 20 + 2×20 + 2×30 + 10 + 20 + 30 + 20 + 2×10 + 20 + 25 + 60
    #       + 2×20 + 2×40 + 10 + 60 + 190
    #       = 10+20+20+40+60+10+20+30+20+20+20+25+60+40+80+10+60+190 = 735
    row = capacity_row(inventory, "esidoc", "dev")
    assert computed(row) == {"vms": 24, "ram_gb": 65, "vcpu": 38, "disk_gb": 735}


# ----------------------------------------------------------------- Les Fondamentaux


def test_it_counts_les_fondamentaux_from_the_rows(inventory: Inventory) -> None:
    # This table lists vCPU before RAM: proxies 2 vCPU / 7 GB, web 2 vCPU / 7 GB,
    # database 4 vCPU / 15 GB; 50 GB of disk each.
    # VMs:  2 + 4 + 1 = 7
    # RAM:  2×7 + 4×7 + 15 = 14 + 28 + 15 = 57
    # vCPU: 2×2 + 4×2 + 4 = 4 + 8 + 4 = 16
    # Disk: 7×50 = 350
    row = capacity_row(inventory, "fondamentaux", "prod")
    assert computed(row) == {"vms": 7, "ram_gb": 57, "vcpu": 16, "disk_gb": 350}


def test_it_compares_nothing_when_no_total_was_stated(inventory: Inventory) -> None:
    row = capacity_row(inventory, "fondamentaux", "prod")
    assert "stated" not in row
    assert "differences" not in row


# ------------------------------------------------------------ stated vs computed
# Differences are computed − stated.


@pytest.mark.parametrize(
    ("platform", "environment", "stated", "differences"),
    [
        # BCDI prod: RAM 468 − 470 = −2; disk 9040 − 9130 = −90.
        (
            "bcdi",
            "prod",
            {"vms": 119, "ram_gb": 470, "vcpu": 238, "disk_gb": 9130},
            {"ram_gb": -2, "disk_gb": -90},
        ),
        # BCDI QA: RAM 47 − 46 = +1; vCPU 28 − 27 = +1; disk 690 − 790 = −100.
        (
            "bcdi",
            "qa",
            {"vms": 14, "ram_gb": 46, "vcpu": 27, "disk_gb": 790},
            {"ram_gb": 1, "vcpu": 1, "disk_gb": -100},
        ),
        # E-sidoc QA: 25 − 24 = +1 VM; 132 − 131 = +1 GB; 58 − 57 = +1 vCPU;
        # 1970 − 1960 = +10 GB — exactly the VPN row, missing from the stated total.
        (
            "esidoc",
            "qa",
            {"vms": 24, "ram_gb": 131, "vcpu": 57, "disk_gb": 1960},
            {"vms": 1, "ram_gb": 1, "vcpu": 1, "disk_gb": 10},
        ),
    ],
)
def test_it_reports_where_the_stated_totals_disagree(
    inventory: Inventory,
    platform: str,
    environment: str,
    stated: dict[str, int],
    differences: dict[str, int],
) -> None:
    row = capacity_row(inventory, platform, environment)
    assert row["stated"] == stated
    assert row["differences"] == differences


@pytest.mark.parametrize(
    ("platform", "environment", "stated"),
    [
        ("esidoc", "prod", {"vms": 25, "ram_gb": 137, "vcpu": 60, "disk_gb": 2140}),
        ("esidoc", "dev", {"vms": 24, "ram_gb": 65, "vcpu": 38, "disk_gb": 735}),
    ],
)
def test_it_reports_no_difference_where_the_stated_totals_agree(
    inventory: Inventory, platform: str, environment: str, stated: dict[str, int]
) -> None:
    row = capacity_row(inventory, platform, environment)
    assert row["stated"] == stated
    assert row["differences"] == {}


# --------------------------------------------------------------------------- hosts


def test_it_keeps_the_system_disk_first(inventory: Inventory) -> None:
    hosts = {
        host.name: host
        for platform in inventory.platforms
        if platform.id == "bcdi"
        for env in platform.environments
        if env.id == "prod"
        for host in env.hosts
    }
    assert hosts["bcdi-001"].disks_gb == (10, 60)
    assert hosts["bcdi-110"].disk_gb == 70
    assert hosts["bcdi-supervision"].disks_gb == (10, 1000)
    assert hosts["bcdi-template"].disks_gb == (10,)


def test_it_puts_each_redundant_pair_in_both_datacenters(inventory: Inventory) -> None:
    # Every role with more than one VM, except the 110/5 BCDI servers (one per school,
    # not redundant), has VMs in dc1 and dc2.
    for platform in inventory.platforms:
        for env in platform.environments:
            by_role: dict[str, set[str | None]] = {}
            for host in env.hosts:
                by_role.setdefault(host.role, set()).add(host.datacenter)
            for role, datacenters in by_role.items():
                members = sum(1 for h in env.hosts if h.role == role)
                if members > 1 and role != "BCDI server":
                    assert datacenters == {"dc1", "dc2"}, (platform.id, env.id, role)


def test_it_names_every_address_under_the_fictitious_domain(
    inventory: Inventory,
) -> None:
    for platform in inventory.platforms:
        for env in platform.environments:
            for host in env.hosts:
                assert host.address is not None
                assert host.address.endswith(".canope.invalid"), host.address


# -------------------------------------------------------------------------- checks


def test_it_probes_every_bcdi_port_on_the_110_production_servers(
    inventory: Inventory,
) -> None:
    # 110 servers × 50 ports (5001–5050) = 5500 TCP checks, one per school's process.
    bcdi = [
        c
        for c in inventory.checks
        if c.platform == "bcdi" and c.environment == "prod" and c.name == "bcdi"
    ]
    assert len(bcdi) == 110 * 50 == 5500
    assert {c.kind for c in bcdi} == {"tcp"}
    assert {c.interval for c in bcdi} == {60.0}
    per_server = Counter(c.host for c in bcdi)
    assert len(per_server) == 110
    assert set(per_server.values()) == {50}
    ports = {c.params.port for c in bcdi if c.host == "bcdi-042"}
    assert ports == set(range(5001, 5051))
    first = inventory.by_id["bcdi/prod/bcdi-001/bcdi:5001"]
    assert first.params.host == "bcdi-001.prod.bcdi.canope.invalid"
    assert first.target == "bcdi-001.prod.bcdi.canope.invalid:5001"


def test_it_counts_every_tcp_check_of_bcdi_production(inventory: Inventory) -> None:
    # 5500 BCDI ports + 2 OpenVPN (firewalls) + 1 syslog-ng (logs)
    # + 2 on the supervision host (SSH bastion, Zabbix server) = 5505.
    tcp = [
        c
        for c in inventory.checks
        if c.platform == "bcdi" and c.environment == "prod" and c.kind == "tcp"
    ]
    assert len(tcp) == 5505


def test_it_probes_the_5_bcdi_qualification_servers_too(inventory: Inventory) -> None:
    # 5 servers × 50 ports = 250.
    bcdi = [
        c
        for c in inventory.checks
        if c.platform == "bcdi" and c.environment == "qa" and c.name == "bcdi"
    ]
    assert len(bcdi) == 5 * 50 == 250


def test_it_counts_the_checks_of_bcdi_production(inventory: Inventory) -> None:
    # 5500 BCDI ports + 1 Elasticsearch + 2 firewalls + 1 logs + 1 MySQL
    # + 2 supervision + 2 supervision web + 2 upload (site, certificate) = 5511.
    assert capacity_row(inventory, "bcdi", "prod")["checks"] == 5511


@pytest.mark.parametrize(
    ("kind", "interval"), [("PROD", 60.0), ("QA", 120.0), ("DEV", 300.0)]
)
def test_it_probes_production_more_often_than_qa_and_dev(
    inventory: Inventory, kind: str, interval: float
) -> None:
    kinds = {
        (platform.id, env.id): env.kind
        for platform in inventory.platforms
        for env in platform.environments
    }
    intervals = {
        c.interval
        for c in inventory.checks
        if kinds[(c.platform, c.environment)] == kind
    }
    assert intervals == {interval}


def test_it_probes_public_access_as_a_school_sees_it(inventory: Inventory) -> None:
    portal = inventory.by_id["esidoc/prod/esidoc-proxy-1/public-portal"]
    assert portal.kind == "http"
    assert portal.params.url == "https://0123456a.esidoc.canope.invalid/"
    certificate = inventory.by_id["esidoc/prod/esidoc-proxy-1/public-certificate"]
    assert certificate.kind == "tls"
    assert certificate.params.host == "0123456a.esidoc.canope.invalid"


def test_it_uses_the_probe_kind_fitting_each_service(inventory: Inventory) -> None:
    kinds = {c.id: c.kind for c in inventory.checks}
    assert kinds["bcdi/prod/bcdi-mysql/mariadb"] == "mysql"
    assert kinds["bcdi/prod/bcdi-es/cluster-health"] == "http"
    assert kinds["esidoc/prod/esidoc-ftp/vsftpd"] == "ftp"
    assert kinds["esidoc/prod/esidoc-db/mariadb"] == "mysql"
    assert kinds["esidoc/prod/esidoc-cache-1/redis"] == "redis"
    assert kinds["esidoc/prod/esidoc-vpn/openvpn"] == "tcp"
    assert kinds["fondamentaux/prod/fondamentaux-db/mariadb"] == "mysql"
    health = inventory.by_id["esidoc/prod/esidoc-es-1/cluster-health"]
    assert health.params.url == (
        "http://esidoc-es-1.prod.esidoc.canope.invalid:9200/_cluster/health"
    )


def test_the_internal_databases_are_counted_but_not_sized(
    inventory: Inventory,
) -> None:
    [row] = [r for r in inventory.capacity() if r["platform"] == "bases-internes"]
    # Four VMs (two databases, two applications); the specification gives no sizes.
    assert (row["vms"], row["unsized_vms"], row["ram_gb"]) == (4, 4, 0)


def test_every_environment_belongs_to_one_of_the_three_scopes(
    inventory: Inventory,
) -> None:
    owners = {
        (p.id, e.id): inventory.scope_of(p.id, e.id).id
        for p in inventory.platforms
        for e in p.environments
    }
    assert set(owners.values()) == {"documentation", "web", "bases-internes"}
    assert owners[("esidoc", "qa")] == "documentation"
    assert owners[("fondamentaux", "prod")] == "web"
