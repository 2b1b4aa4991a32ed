"""The inventory used when none is given: this machine and its usual local services.

``veilleur serve`` with no ``--config`` watches its own web endpoint and the database
and cache servers on their standard local ports, so a first run shows real states at
once. A service that is not installed simply shows DOWN with "connexion refusée".
"""

from __future__ import annotations

import os
import shutil

import yaml

from veilleur.inventory.limits import MAX_DISK_GB, MAX_RAM_GB, MAX_VCPU
from veilleur.inventory.loader import load_sources
from veilleur.inventory.model import Inventory


def builtin_inventory(web_url: str) -> Inventory:
    """Checks of this machine; `web_url` is where this Veilleur's own API answers."""
    # NB: clamped to the inventory's limits, so that a very large machine still
    # starts; its size is then understated, which only the capacity view shows.
    host = {
        "id": "localhost",
        "role": "Veilleur et services locaux",
        "address": "127.0.0.1",
        "vcpu": min(os.cpu_count() or 1, MAX_VCPU),
        "ram_gb": min(round(_memory_gb(), 1), MAX_RAM_GB),
        "disk_gb": min(max(round(shutil.disk_usage("/").total / 1e9), 1), MAX_DISK_GB),
        "checks": [
            {"id": "veilleur-api", "kind": "http", "url": f"{web_url}/api/v1/health"},
            {"id": "postgresql", "kind": "postgres", "port": 5432},
            {"id": "mariadb", "kind": "mysql", "port": 3306},
            {"id": "redis", "kind": "redis", "port": 6379},
        ],
    }
    document = {
        "platforms": [
            {
                "id": "local",
                "name": "Cette machine",
                "environments": [
                    {
                        "id": "prod",
                        "kind": "PROD",
                        "check_defaults": {
                            "interval": "15s",
                            "timeout": "5s",
                            "failures": 2,
                            "successes": 1,
                        },
                        "hosts": [host],
                    }
                ],
            }
        ]
    }
    return load_sources([("built-in", yaml.safe_dump(document))], source="built-in")


def _memory_gb() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 1.0
