"""Templates of the inventory: ``bcdi-{n:03d}``, ``{name}.canope.invalid``, ``{port}``.

A template is text with names in braces, replaced for each VM of a counted entry and
each port of a range. Python's `str.format` would do, but it also reads ``{n[0]}``,
``{address.nope}`` and ``{id.upper}`` (indexing, attributes, a method's repr) and
pads ``{n:999999999}`` to a gigabyte. So a template is parsed once, with
`string.Formatter().parse`, and allowed only what an inventory needs: plain names, and
for numbers a small width such as ``03d``. Its expansion is rendered from the parsed
pieces, and refused beyond a length given by the caller.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from functools import lru_cache

from veilleur.inventory.yamlfile import show

SPEC_PATTERN = re.compile(r"0?[1-9]?d?")  # "", "d", "3d", "03d", "03"

Piece = tuple[str, str | None, str]  # literal text, then a name (or None) and its spec


class TemplateError(ValueError):
    """A template that cannot be expanded; the message says why and what to write."""


def expand(template: str, values: Mapping[str, str | int], limit: int) -> str:
    """`template` with its names replaced by `values`, at most `limit` characters."""
    if len(template) > limit:
        raise TemplateError(f"too long: more than {limit:,} characters")
    out = []
    for literal, name, spec in _parse(template):
        out.append(literal)
        if name is None:
            continue
        if name not in values:
            raise TemplateError(
                f"unknown name {{{name}}}; usable names: {_usable(values)}"
            )
        value = values[name]
        if spec and not isinstance(value, int):
            raise TemplateError(f"{{{name}:{spec}}}: only a number takes a format")
        out.append(format(value, spec))
    text = "".join(out)
    if len(text) > limit:
        raise TemplateError(
            f"expands to {len(text):,} characters, more than {limit:,}: {show(text)}"
        )
    return text


@lru_cache(maxsize=1024)
def _parse(template: str) -> tuple[Piece, ...]:
    """The pieces of `template`, once per distinct template (VMs share theirs)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateError(f"{exc}; write a brace as {{{{ or }}}}") from None
    pieces = []
    for literal, name, spec, conversion in parsed:
        if name is not None:
            _check_field(name, spec or "", conversion)
        pieces.append((literal, name, spec or ""))
    return tuple(pieces)


def _check_field(name: str, spec: str, conversion: str | None) -> None:
    if not name.isidentifier():
        raise TemplateError(
            f"{{{name}}}: write a plain name such as {{name}}, "
            "without '.', '[' or position"
        )
    if conversion is not None:
        raise TemplateError(f"{{{name}!{conversion}}}: conversions are not allowed")
    if not SPEC_PATTERN.fullmatch(spec):
        raise TemplateError(
            f"{{{name}:{spec}}}: only a width of one digit is allowed, as in {{n:03d}}"
        )


def _usable(values: Mapping[str, object]) -> str:
    return ", ".join("{" + name + "}" for name in values)
