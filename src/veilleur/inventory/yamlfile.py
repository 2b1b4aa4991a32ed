"""YAML reading that remembers where each value came from.

PyYAML's `safe_load` forgets line numbers and silently keeps the last of two equal keys.
Configuration errors must name the line, so the text is composed into nodes first; the
walk records the line of every path and reports duplicate keys; then the same text is
constructed into plain Python data.
"""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def load_with_lines(text: str) -> tuple[Any, dict[Path, int], list[tuple[Path, int]]]:
    """Parse `text`: (data, line of each path, duplicate keys with their lines).

    Raises `YamlSyntaxError` with the 1-based line of the fault.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(f"YAML syntax error: {reason}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML error: {exc}", None) from exc

    lines: dict[Path, int] = {}
    duplicates: list[tuple[Path, int]] = []
    if node is not None:
        _walk(node, (), lines, duplicates)
    return data, lines, duplicates


def _walk(
    node: yaml.Node,
    path: Path,
    lines: dict[Path, int],
    duplicates: list[tuple[Path, int]],
) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                duplicates.append(((*path, key), key_node.start_mark.line + 1))
            seen.add(key)
            _walk(value_node, (*path, key), lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, duplicates)


def format_path(path: Path) -> str:
    """("platforms", 0, "hosts") -> "platforms[0].hosts"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
