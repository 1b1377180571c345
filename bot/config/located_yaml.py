"""Load YAML into plain Python values while remembering the source line of every key path.

Bounded against hostile files: nesting deeper than ``MAX_DEPTH`` levels, a value that contains
itself through an alias, and aliases that would expand the document by more than
``MAX_ALIAS_EXPANSION`` values (a "billion laughs" bomb) are located errors, found on the
composed node graph before anything is expanded.
"""

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


MAX_DEPTH = 64
MAX_ALIAS_EXPANSION = 100_000


class _Constructor(yaml.constructor.SafeConstructor):
    pass


class _BoundedLoader(yaml.SafeLoader):
    """Composes nodes while refusing nesting deeper than ``MAX_DEPTH`` (PyYAML recurses per
    level, so a 400-level document would otherwise end in ``RecursionError``)."""

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text)
        self.file = file
        self.trail: list[str | int] = []
        self.composed = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.composed += 1
        step: str | int | None = None
        if parent is not None and index is not None:
            step = index if isinstance(index, int) else str(getattr(index, "value", "?"))
        if step is not None:
            self.trail.append(step)
        try:
            if len(self.trail) > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
                raise ConfigError(
                    f"nested deeper than {MAX_DEPTH} levels",
                    file=self.file,
                    line=line,
                    path=tuple(self.trail),
                )
            return super().compose_node(parent, index)
        finally:
            if step is not None:
                self.trail.pop()


def load_located(text: str, file: str) -> LocatedDocument:
    """Parse ``text``; a YAML syntax error becomes a ``ConfigError`` with its line."""
    loader = _BoundedLoader(text, file)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(f"invalid YAML: {exc.problem or exc}", file=file, line=line) from exc
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {}
    if node is None:
        return LocatedDocument(file=file, data={}, lines={(): 1})
    _Expansion(file, budget=loader.composed + MAX_ALIAS_EXPANSION).measure(node, ())
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


class _Expansion:
    """Walks the node graph as ``_build`` will expand it, without building anything: a value
    that contains itself, or more values than ``budget``, is refused where it starts."""

    def __init__(self, file: str, *, budget: int) -> None:
        self.file = file
        self.left = budget
        self.budget = budget
        self.open: set[int] = set()

    def measure(self, node: yaml.Node, path: KeyPath) -> None:
        if id(node) in self.open:
            raise self._error("a value contains itself through an alias", node, path)
        if len(path) > MAX_DEPTH:  # aliases can nest what each level of the file keeps shallow
            raise self._error(f"nested deeper than {MAX_DEPTH} levels", node, path)
        self.left -= 1
        if self.left < 0:
            message = f"aliases expand the document past {self.budget:,} values (an alias bomb?)"
            raise self._error(message, node, path)
        if isinstance(node, yaml.MappingNode):
            self.open.add(id(node))
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    message = "a key must be a plain value, not a list or mapping"
                    raise self._error(message, key_node, path)
                self.measure(value_node, (*path, str(key_node.value)))
            self.open.discard(id(node))
        elif isinstance(node, yaml.SequenceNode):
            self.open.add(id(node))
            for index, item in enumerate(node.value):
                self.measure(item, (*path, index))
            self.open.discard(id(node))

    def _error(self, message: str, node: yaml.Node, path: KeyPath) -> ConfigError:
        return ConfigError(message, file=self.file, line=node.start_mark.line + 1, path=path)
