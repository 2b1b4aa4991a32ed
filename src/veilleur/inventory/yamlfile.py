"""YAML reading that remembers where each value came from, and refuses what would hang.

PyYAML's `safe_load` forgets line numbers and silently keeps the last of two equal keys.
Configuration errors must name the line, so the text is composed into nodes first and
read in three steps before PyYAML builds plain Python data from the same nodes:

1. Measure. An alias is one node reached from several places: ten levels of
   ``&a [*b, *b, …]`` make a 4 KB file mean billions of values, and a list nested
   thousands of levels deep overflows every recursive walk. The node graph is measured
   once, each node visited once, the size of a node being the size of everything it
   means; too many nodes, too deep a nesting or an alias that refers to itself is
   refused before anything walks the expanded values.
2. Walk. The line of every path is recorded, and keys written twice are reported. The
   walk does not enter an alias again: a problem inside an aliased value is located at
   the alias.
3. Construct each scalar. PyYAML turns ``2026-02-30`` into a date and ``!!int x`` into
   an integer only at construction, with a bare ValueError (or KeyError, or
   AttributeError) that has no line; each scalar is constructed during the walk, where
   its node says the line.

libyaml's parser is used when PyYAML was built with it: about ten times faster than
the pure-Python one, it also refuses nesting deeper than 1,000 levels by itself. The
pure-Python composer is recursive and overflows first; its RecursionError is caught.
"""

from __future__ import annotations

import reprlib
from typing import Any, Protocol

import yaml

from veilleur.inventory.limits import MAX_DEPTH, MAX_NODES

Path = tuple[str | int, ...]

STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"  # the key of `<<: *defaults`
VALUE_TAG = "tag:yaml.org,2002:value"
TAG_WORDS = {
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:binary": "base64 data",
}
# What PyYAML's constructors raise, besides its own errors, on a scalar they cannot read.
SCALAR_ERRORS = (ValueError, KeyError, AttributeError, TypeError, OverflowError)

TOO_DEEP = f"too deeply nested (more than {MAX_DEPTH} levels of lists and mappings)"

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlong = 40
_short.maxlevel = 3


class _Loader(Protocol):
    """What is used of PyYAML's SafeLoader and of libyaml's CSafeLoader."""

    def __init__(self, stream: str) -> None: ...
    def get_single_node(self) -> yaml.Node | None: ...
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any: ...
    def construct_document(self, node: yaml.Node) -> Any: ...
    def dispose(self) -> None: ...


LOADER: type[_Loader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSyntaxError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def load_with_lines(text: str) -> tuple[Any, dict[Path, int], list[tuple[Path, int]]]:
    """Parse `text`: (data, line of each path, duplicate keys with their lines).

    Raises `YamlSyntaxError` with the 1-based line of the fault, when known.
    """
    try:
        return _load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in reason:  # libyaml's own limit
            reason = TOO_DEEP
        raise YamlSyntaxError(f"YAML syntax error: {reason}", line) from exc
    except yaml.reader.ReaderError as exc:
        raise _unacceptable(text, exc.character) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML error: {exc}", None) from exc


def key_text(key: Any) -> str:
    """How a mapping key appears in a path: the same for the walk and the loader."""
    if key is None:
        return "~"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def show(value: Any) -> str:
    """A short repr for messages, whatever the size or depth of `value`."""
    return _short.repr(value)


def format_path(path: Path) -> str:
    """("platforms", 0, "hosts") -> "platforms[0].hosts"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _load(text: str) -> tuple[Any, dict[Path, int], list[tuple[Path, int]]]:
    """Measure, walk, then construct: see the module's docstring."""
    loader = LOADER(text)
    try:
        node = _compose(loader)
        lines: dict[Path, int] = {}
        duplicates: list[tuple[Path, int]] = []
        if node is None:
            return None, lines, duplicates
        _measure(node)
        _walk(loader, node, (), lines, duplicates, set())
        return _construct(loader, node), lines, duplicates
    finally:
        loader.dispose()


def _unacceptable(text: str, character: int) -> YamlSyntaxError:
    """A character YAML refuses, on its line.

    NB: the reader's position counts bytes in libyaml and characters in PyYAML; the
    first occurrence of the character is the one that stopped either.
    """
    index = text.find(chr(character))
    line = None if index < 0 else text.count("\n", 0, index) + 1
    return YamlSyntaxError(
        f"YAML error: character U+{character:04X} is not allowed: remove it", line
    )


def _compose(loader: _Loader) -> yaml.Node | None:
    """The node graph of the single document."""
    try:
        return loader.get_single_node()
    except RecursionError:  # the pure-Python composer, at about 500 levels
        line = getattr(loader, "line", None)  # where its reader stopped
        raise YamlSyntaxError(TOO_DEEP, None if line is None else line + 1) from None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _measure(root: yaml.Node) -> None:
    """Refuse a graph too large once aliases are expanded, too deep, or cyclic.

    Post-order and iterative, each collection measured once: the cost is that of the
    text, not of what its aliases mean. Scalars, most of the nodes, are counted by
    their parent and never stacked.
    """
    size: dict[int, int] = {}  # nodes a collection means, itself included
    depth: dict[int, int] = {}  # levels of collections, itself included
    entered: set[int] = set()  # on the way down from the root, not yet measured
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            entered.discard(key)
            size[key], depth[key] = _size_and_depth(node, size, depth)
            _check_measure(node, size[key], depth[key])
        elif key in entered:
            raise YamlSyntaxError(
                "an alias refers to a value that contains it", _line(node)
            )
        elif key not in size:
            entered.add(key)
            stack.append((node, True))
            stack.extend(
                (child, False)
                for child in _children(node)
                if not isinstance(child, yaml.ScalarNode)
            )


def _size_and_depth(
    node: yaml.Node, size: dict[int, int], depth: dict[int, int]
) -> tuple[int, int]:
    """Of a node whose child collections are measured."""
    if isinstance(node, yaml.ScalarNode):
        return 1, 0
    total, deepest = 1, 0
    for child in _children(node):
        if isinstance(child, yaml.ScalarNode):
            total += 1
        else:
            total += size[id(child)]
            deepest = max(deepest, depth[id(child)])
    return total, 1 + deepest


def _check_measure(node: yaml.Node, size: int, depth: int) -> None:
    if size > MAX_NODES:
        raise YamlSyntaxError(
            f"too many nodes (more than {MAX_NODES:,} once aliases are expanded): "
            "is an alias expanded over and over?",
            _line(node),
        )
    if depth > MAX_DEPTH:
        raise YamlSyntaxError(TOO_DEEP, _line(node))


def _walk(
    loader: _Loader,
    node: yaml.Node,
    path: Path,
    lines: dict[Path, int],
    duplicates: list[tuple[Path, int]],
    visited: set[int],
    alias_line: int | None = None,
) -> None:
    """Record lines and duplicate keys; construct scalars. Depth is already bounded.

    NB: PyYAML hands an alias over as the anchored node itself, its own position lost;
    in a mapping the key's line stands for it (`alias_line`), in a list the anchor's.
    """
    if id(node) in visited:
        lines[path] = alias_line or _line(node)
        return
    visited.add(id(node))
    lines[path] = _line(node)
    if isinstance(node, yaml.ScalarNode):
        _construct_scalar(loader, node)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(loader, item, (*path, index), lines, duplicates, visited)
    elif isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = _key(loader, key_node)
            where = (*path, key_text(key))
            if key in seen:
                duplicates.append((where, _line(key_node)))
            seen.add(key)
            _walk(
                loader, value_node, where, lines, duplicates, visited, _line(key_node)
            )


def _key(loader: _Loader, node: yaml.Node) -> Any:
    """The Python value a key node becomes, as the data will hold it."""
    if not isinstance(node, yaml.ScalarNode):
        raise YamlSyntaxError(
            "a key must be a single word, not a list or a mapping", _line(node)
        )
    if node.tag in (MERGE_TAG, VALUE_TAG):
        return node.value  # `<<` and `=` are merged away at construction
    return _construct_scalar(loader, node)


def _construct_scalar(loader: _Loader, node: yaml.ScalarNode) -> Any:
    if node.tag == STR_TAG:
        return node.value  # Optimization: most scalars, and text cannot be wrong
    try:
        return loader.construct_object(node)
    except SCALAR_ERRORS as exc:
        word = TAG_WORDS.get(node.tag, node.tag)
        detail = f" ({exc})" if isinstance(exc, ValueError) else ""
        raise YamlSyntaxError(
            f"YAML error: {show(node.value)} is not {word}{detail}", _line(node)
        ) from None


def _construct(loader: _Loader, node: yaml.Node) -> Any:
    """Plain data from the measured and walked graph."""
    try:
        return loader.construct_document(node)
    except SCALAR_ERRORS as exc:  # NB: every scalar was constructed once already
        raise YamlSyntaxError(f"YAML error: {exc}", None) from None


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1
