"""Safe YAML that keeps what a person wrote: yes/no/on/off stay strings, duplicate keys and the
line of every key are remembered.

PyYAML silently keeps the last of two duplicate keys and turns ``no`` into ``False``; both would
make a council's workflow file mean something other than what it says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader whose booleans are only ``true`` and ``false``."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class Parsed:
    """A YAML document as plain Python, with the line of each key path and any duplicate keys."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[str, int]] = field(default_factory=list)

    def line(self, path: str) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0]
        return None


def parse_yaml(text: str) -> Parsed:
    """Parse one YAML document; raise ``yaml.YAMLError`` if it is not valid YAML."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        parsed = Parsed(data=None)
        if node is not None:
            parsed.data = _convert(loader, node, "", parsed)
        return parsed
    finally:
        loader.dispose()


def _convert(loader: _StrictLoader, node: yaml.Node, path: str, parsed: Parsed) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
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
    return loader.construct_object(node, deep=True)
