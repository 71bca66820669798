"""Safe YAML that keeps what a person wrote and cannot be turned against the engine.

PyYAML silently keeps the last of two duplicate keys and turns ``no`` into ``False``; both would
make a council's file mean something other than what it says. It also expands aliases without
limit (a "billion laughs" file of a few hundred bytes grows to gigabytes) and recurses once per
level of nesting. So a document is measured before anything is built from it: its size, its depth
and its number of aliases, and the values built from it are counted as aliases expand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Far beyond any real workflow or config.yaml, far below what could exhaust the machine.
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_ALIASES = 200
MAX_VALUES = 50_000

#: The only kinds of value a setting can be; any other tag (!!python/..., !!binary) is refused.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{kind}"
    for kind in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
_PARENT = re.compile(r"(?:\.[^.\[]*|\[\d+\])$")


#: LibYAML's parser where PyYAML was built with it (it is, in the published wheels): the pure-Python
#: parser would be most of the time every command spends reading its files.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader whose booleans are only ``true`` and ``false``."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YAMLRefused(yaml.YAMLError):
    """A document that is valid YAML but that the engine will not read (too big, too deep, too
    many aliases) or that holds a value that cannot exist (a 30th of February)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def describe(exc: yaml.YAMLError) -> str:
    """One line saying what is wrong with a document, with its line where known."""
    if isinstance(exc, YAMLRefused):
        where = f"line {exc.line}: " if exc.line else ""
        return f"{where}{exc.message}"
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}: " if mark is not None else ""
    return f"{where}not valid YAML ({getattr(exc, 'problem', None) or exc})"


def read_text(path: Path, what: str) -> str:
    """The text of a YAML file, refusing one that is too large or is not UTF-8.

    Raises ``OSError`` if it cannot be read and ``YAMLRefused`` if it is not acceptable.
    """
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise YAMLRefused(
            f"the {what} is larger than {MAX_BYTES // 1024} KiB; is it the right file?"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YAMLRefused(
            f"the {what} is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read); save it"
            " as UTF-8 in your editor",
            line,
        ) from None


@dataclass
class Parsed:
    """A YAML document as plain Python, with the line of each key path and any duplicate keys."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    values: int = 0

    def line(self, path: str) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            parent = _PARENT.sub("", path)
            path = "" if parent == path else parent
        return None


def _measure(text: str) -> None:
    """Refuse a document that is too large, too deep or too full of aliases, before building it."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YAMLRefused(f"the document is larger than {MAX_BYTES // 1024} KiB")
    depth = aliases = 0
    for event in yaml.parse(text, Loader=_StrictLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YAMLRefused(
                    f"nested more than {MAX_DEPTH} levels deep; no setting needs that",
                    _line(event),
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise YAMLRefused(
                    f"uses more than {MAX_ALIASES} aliases (*name); write the values out instead",
                    _line(event),
                )


def _line(event: yaml.Event) -> int | None:
    return event.start_mark.line + 1 if event.start_mark is not None else None


def parse_yaml(text: str) -> Parsed:
    """Parse one YAML document; raise ``yaml.YAMLError`` (``YAMLRefused`` included) if it is not
    valid YAML or not safe to read."""
    _measure(text)
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        parsed = Parsed(data=None)
        if node is not None:
            parsed.data = _convert(loader, node, "", parsed)
        return parsed
    finally:
        loader.dispose()


def _scalar(loader: _StrictLoader, node: yaml.Node) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError, TypeError) as exc:
        raise YAMLRefused(
            f"{node.value!r} cannot be read ({exc}); quote it if it is meant as text",
            node.start_mark.line + 1,
        ) from None


def _convert(loader: _StrictLoader, node: yaml.Node, path: str, parsed: Parsed) -> Any:
    if node.tag not in _PLAIN_TAGS:
        raise YAMLRefused(
            f"the tag {node.tag.rpartition(':')[2]!r} is not allowed; write plain values",
            node.start_mark.line + 1,
        )
    parsed.values += 1
    if parsed.values > MAX_VALUES:
        raise YAMLRefused(
            f"expands to more than {MAX_VALUES:,} values (aliases repeating aliases?)",
            node.start_mark.line + 1,
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YAMLRefused("a key must be a plain name", key_node.start_mark.line + 1)
            key = str(_scalar(loader, key_node))
            child = f"{path}.{key}" if path else key
            line = key_node.start_mark.line + 1
            if key in result:
                parsed.duplicates.append((child, line))
                continue
            parsed.lines[child] = line
            result[key] = _convert(loader, value_node, child, parsed)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = f"{path}[{index}]"
            parsed.lines[child] = item.start_mark.line + 1
            items.append(_convert(loader, item, child, parsed))
        return items
    return _scalar(loader, node)
