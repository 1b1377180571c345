"""Load YAML into plain Python values while remembering the source line of every key path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from bot.errors import ConfigError

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class LocatedDocument:
    """A YAML document as plain values, plus the 1-based line of each key path in it."""

    file: str
    data: Any
    lines: dict[KeyPath, int]

    def line_of(self, path: KeyPath) -> int | None:
        """The line of the deepest prefix of ``path`` that the document has."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None

    def error(self, message: str, path: KeyPath) -> ConfigError:
        return ConfigError(message, file=self.file, line=self.line_of(path), path=path)


class _Constructor(yaml.constructor.SafeConstructor):
    pass


def load_located(text: str, file: str) -> LocatedDocument:
    """Parse ``text``; a YAML syntax error becomes a ``ConfigError`` with its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(f"invalid YAML: {exc.problem or exc}", file=file, line=line) from exc
    lines: dict[KeyPath, int] = {}
    if node is None:
        return LocatedDocument(file=file, data={}, lines={(): 1})
    constructor = _Constructor()
    data = _build(node, (), lines, constructor, file)
    return LocatedDocument(file=file, data=data, lines=lines)


def _build(
    node: yaml.Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    constructor: _Constructor,
    file: str,
) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int):
                key = str(key)
            child = (*path, key)
            if key in out:
                raise ConfigError(
                    f"duplicate key {key!r}",
                    file=file,
                    line=key_node.start_mark.line + 1,
                    path=child,
                )
            lines[child] = key_node.start_mark.line + 1
            out[key] = _build(value_node, child, lines, constructor, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), lines, constructor, file)
            for index, item in enumerate(node.value)
        ]
    return constructor.construct_object(node, deep=True)
