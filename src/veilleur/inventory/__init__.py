"""The model of what Veilleur supervises, loaded from YAML files kept in git.

Platforms hold environments (DEV, QA, PROD), environments hold hosts, hosts hold checks.
`load_inventory(directory)` reads every ``*.yaml`` file of a directory and returns an
`Inventory`, or raises `InventoryError` listing every problem with its file, line and
path inside the file.
"""

from veilleur.inventory.loader import load_inventory
from veilleur.inventory.model import (
    CheckSpec,
    Environment,
    Host,
    Inventory,
    InventoryError,
    Platform,
    Problem,
)

__all__ = [
    "CheckSpec",
    "Environment",
    "Host",
    "Inventory",
    "InventoryError",
    "Platform",
    "Problem",
    "load_inventory",
]
