"""The files of an inventory directory: which are read, and how.

Every ``*.yaml`` and ``*.yml`` file of the directory, in the order of their names. A
file that cannot be read is a problem like any other, and the others are still read,
so that one run says everything. Only regular files are read, and only so many bytes:
see `veilleur.inventory.limits`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from veilleur.inventory.limits import MAX_FILE_BYTES, MAX_INVENTORY_BYTES
from veilleur.inventory.model import InventoryError, Problem

SUFFIXES = (".yaml", ".yml")
TOO_LARGE = (
    f"with this file, the inventory is larger than {MAX_INVENTORY_BYTES:,} bytes: "
    "not read further"
)


class UnreadableFile(Exception):
    """A file that cannot be read as inventory text; the message says why."""


def read_directory(folder: Path) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(name, text) of each file that can be read, and a problem for each other.

    Raises `InventoryError` when `folder` is not a directory of inventory files.
    """
    if not folder.is_dir():
        raise InventoryError(
            [
                Problem(
                    str(folder), "", "not a directory (expected inventory YAML files)"
                )
            ]
        )
    files = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES)
    if not files:
        raise InventoryError(
            [Problem(str(folder), "", "no *.yaml or *.yml file in this directory")]
        )

    sources, problems = [], []
    total = 0
    for file in files:
        try:
            data = read_file(file)
            total += len(data)
            if total > MAX_INVENTORY_BYTES:
                problems.append(Problem(str(file), "", TOO_LARGE))
                break
            sources.append((str(file), _text(data)))
        except UnreadableFile as exc:
            problems.append(Problem(str(file), "", str(exc)))
    return sources, problems


def read_file(file: Path) -> bytes:
    """The bytes of a regular file, raising `UnreadableFile` otherwise.

    Important: opened without blocking and checked before it is read. A FIFO named
    ``a.yaml`` would block a plain open until someone writes to it, and a device such
    as /dev/zero would never end.
    """
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnreadableFile(
                "not a regular file (a directory, FIFO or device?): only plain "
                "files are read"
            )
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror}") from exc
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"larger than {MAX_FILE_BYTES:,} bytes: split it into several files"
        )
    return data


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not UTF-8 text: {exc}") from exc
