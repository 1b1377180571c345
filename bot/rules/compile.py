"""Validate the ``aliases:`` and ``topics:`` sections and compile them into a ``RuleSet``.

Every problem raises ``ConfigError`` with the key path from the document root, e.g.
``("topics", 0, "match", "all", 3, "any", 1, "within")``, so the config loader can point at the
line. The first error found (in document order) is raised.
"""

from __future__ import annotations

import re
from typing import Literal, cast

from bot.errors import ConfigError
from bot.rules import settings
from bot.rules.conditions import All, Any_, Atom, Condition, Count, Near, Not, Scope
from bot.rules.requirements import clauses, disjunctive, positive_atoms, trigger
from bot.rules.ruleset import RuleSet, Topic
from bot.rules.scan import Lexicon
from bot.rules.terms import Path, Term, TermSyntax, parse_term, require_text, type_name

OPERATORS = ("all", "any", "not", "near", "count")
OPTIONS = {"within": "near", "ordered": "near", "at_least": "count", "distinct": "count"}
TOPIC_KEYS = (
    "id",
    "name",
    "description",
    "match",
    "exclude",
    "languages",
    "sources",
    "min_score",
    "tests",
)
ALIAS_KEYS = ("terms", "ignore")
_ALIAS_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")
_TOPIC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")


class _Alias:
    __slots__ = ("ignore", "name", "terms")

    def __init__(self, name: str, terms: tuple[Term, ...], ignore: tuple[Term, ...]) -> None:
        self.name, self.terms, self.ignore = name, terms, ignore


class _Compiler:
    """Holds the term table while topics are compiled; one instance per ``compile_rules``."""

    def __init__(self) -> None:
        self.pids: dict[str, int] = {}
        self.aliases: dict[str, _Alias] = {}
        # One object per distinct term and per term-id set: a large rule set stays small in
        # memory and cheap for the garbage collector to traverse.
        self.terms: dict[tuple[str, str], Term] = {}
        self.pid_sets: dict[int, frozenset[int]] = {}

    def term(self, syntax: TermSyntax) -> Term:
        term = self.terms.get((syntax.text, syntax.key))
        if term is None:
            pid = self.pids.setdefault(syntax.key, len(self.pids))
            term = Term(syntax.text, syntax.key, pid, syntax.prefix, syntax.ntokens)
            self.terms[(syntax.text, syntax.key)] = term
        return term

    def pid_set(self, pid: int) -> frozenset[int]:
        found = self.pid_sets.get(pid)
        if found is None:
            found = self.pid_sets[pid] = frozenset({pid})
        return found

    # aliases -----------------------------------------------------------------------------

    def load_aliases(self, raw: object) -> None:
        if raw is None:
            return
        if not isinstance(raw, dict):
            raise ConfigError(
                f"aliases must be a mapping of names, got {type_name(raw)}", path=("aliases",)
            )
        for name, spec in raw.items():
            path: Path = ("aliases", name)
            if not isinstance(name, str) or not _ALIAS_NAME.match(name):
                raise ConfigError(
                    f"alias name {name!r}: use letters, digits, '_', '-', '.'", path=path
                )
            if isinstance(spec, list):
                spec = {"terms": spec}
            if not isinstance(spec, dict):
                raise ConfigError(
                    f"alias {name!r} must be a mapping with terms: (and ignore:) or a list of"
                    f" terms, got {type_name(spec)}",
                    path=path,
                )
            settings.check_keys(spec, ALIAS_KEYS, path, f"alias {name!r}")
            if "terms" not in spec:
                raise ConfigError(f"alias {name!r} has no terms:", path=path)
            terms = self.term_list(spec["terms"], (*path, "terms"), "terms", allow_empty=False)
            ignore = self.term_list(
                spec.get("ignore") or [], (*path, "ignore"), "ignore", allow_empty=True
            )
            self.aliases[name] = _Alias(name, terms, ignore)

    def term_list(
        self, raw: object, path: Path, what: str, *, allow_empty: bool
    ) -> tuple[Term, ...]:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            raise ConfigError(f"{what} must be a list of terms, got {type_name(raw)}", path=path)
        if not raw and not allow_empty:
            raise ConfigError(f"{what} is empty: give at least one term", path=path)
        out = []
        for i, item in enumerate(raw):
            if isinstance(item, str) and item.strip().startswith("@"):
                raise ConfigError(
                    f"{item.strip()!r}: an alias cannot refer to another alias", path=(*path, i)
                )
            out.append(self.term(parse_term(item, (*path, i))))
        return tuple(out)

    # topics ------------------------------------------------------------------------------

    def topic(self, raw: object, index: int, seen: dict[str, int]) -> Topic:
        path: Path = ("topics", index)
        if not isinstance(raw, dict):
            raise ConfigError(f"a topic must be a mapping, got {type_name(raw)}", path=path)
        settings.check_keys(raw, TOPIC_KEYS, path, "topic")
        topic_id = _topic_id(raw, path, seen)
        seen[topic_id] = index
        name = topic_id
        if raw.get("name") is not None:
            name = require_text(raw["name"], (*path, "name"), "a topic name")
        if raw.get("description") is not None:
            require_text(raw["description"], (*path, "description"), "a description")
        if "match" not in raw:
            raise ConfigError(f"topic {topic_id!r} has no match:", path=path)
        match = self.condition(raw["match"], (*path, "match"), None)
        exclude = None
        if raw.get("exclude") is not None:
            exclude = self.condition(raw["exclude"], (*path, "exclude"), None)
        languages = settings.languages(raw.get("languages"), (*path, "languages"))
        include, exclude_sources = settings.sources(raw.get("sources"), (*path, "sources"))
        min_score = settings.min_score(raw.get("min_score"), (*path, "min_score"))
        examples_match, examples_no_match = settings.tests(raw.get("tests"), (*path, "tests"))
        necessary = clauses(match)
        return Topic(
            id=topic_id,
            name=name,
            match=match,
            exclude=exclude,
            languages=languages,
            sources_include=include,
            sources_exclude=exclude_sources,
            min_score=min_score,
            examples_match=examples_match,
            examples_no_match=examples_no_match,
            evidence=_evidence(match),
            trigger=trigger(match),
            index=index,
            required=frozenset(next(iter(c)) for c in necessary if len(c) == 1),
            groups=tuple(c for c in necessary if len(c) > 1),
            alternatives=disjunctive(match),
        )

    def condition(self, raw: object, path: Path, scope: Scope) -> Condition:
        if isinstance(raw, list):
            return Any_(self.children(raw, path, scope, "a list"), scope, path)
        if isinstance(raw, dict):
            return self.operator(raw, path, scope)
        return self.atom(raw, path, scope)

    def children(
        self, raw: list[object], path: Path, scope: Scope, what: str
    ) -> tuple[Condition, ...]:
        if not raw:
            raise ConfigError(f"{what} of conditions is empty", path=path)
        return tuple(self.condition(item, (*path, i), scope) for i, item in enumerate(raw))

    def atom(self, raw: object, path: Path, scope: Scope) -> Atom:
        text = require_text(raw, path, "a term, an @alias or a mapping with an operator")
        if text.startswith("@"):
            name = text[1:]
            alias = self.aliases.get(name)
            if alias is None:
                known = ", ".join(sorted(self.aliases)) or "none"
                raise ConfigError(f"undefined alias {text!r} (defined: {known})", path=path)
            pids = frozenset(t.pid for t in alias.terms)
            return Atom(text, alias.terms, alias.ignore, scope, path, pids)
        term = self.term(parse_term(text, path))
        return Atom(text, (term,), (), scope, path, self.pid_set(term.pid))

    def operator(self, raw: dict[object, object], path: Path, scope: Scope) -> Condition:
        operators = []
        for key in raw:
            if key in OPERATORS:
                operators.append(key)
            elif key != "field" and key not in OPTIONS:
                raise ConfigError(
                    f"unknown key {key!r} (operators: {', '.join(OPERATORS)};"
                    " options: field, within, ordered, at_least, distinct)",
                    path=(*path, cast(str, key)),
                )
        if not operators:
            raise ConfigError(
                f"no operator in this mapping: use one of {', '.join(OPERATORS)}", path=path
            )
        if len(operators) > 1:
            raise ConfigError(
                f"one operator per mapping: found {operators[0]!r} and {operators[1]!r};"
                " put them in a list under all: or any:",
                path=(*path, operators[1]),
            )
        op = operators[0]
        for key in raw:
            owner = OPTIONS.get(cast(str, key))
            if owner is not None and owner != op:
                raise ConfigError(
                    f"{key!r} belongs to {owner}:, not {op}:", path=(*path, cast(str, key))
                )
        if "field" in raw:
            scope = settings.fields(raw["field"], (*path, "field"))
        value, vpath = raw[op], (*path, op)
        if op in ("all", "any"):
            if not isinstance(value, list):
                raise ConfigError(
                    f"{op}: takes a list of conditions, got {type_name(value)}", path=vpath
                )
            kids = self.children(value, vpath, scope, f"{op}:")
            return All(kids, scope, path) if op == "all" else Any_(kids, scope, path)
        if op == "not":
            return Not(self.condition(value, vpath, scope), path)
        if op == "near":
            return self.near(raw, value, path, scope)
        return self.count(raw, value, path, scope)

    def operand(self, raw: object, path: Path, scope: Scope, what: str) -> tuple[Atom, ...]:
        if isinstance(raw, list):
            if not raw:
                raise ConfigError(f"{what} operand is an empty list", path=path)
            return tuple(self.atom(item, (*path, i), scope) for i, item in enumerate(raw))
        if isinstance(raw, dict):
            raise ConfigError(
                f"{what} operands are terms, @aliases or lists of them, not {type_name(raw)}",
                path=path,
            )
        return (self.atom(raw, path, scope),)

    def near(self, raw: dict[object, object], value: object, path: Path, scope: Scope) -> Near:
        vpath = (*path, "near")
        if not isinstance(value, list) or len(value) < 2:
            raise ConfigError(
                f"near: takes a list of at least two operands, got {_show(value)}", path=vpath
            )
        operands = tuple(
            self.operand(item, (*vpath, i), scope, "near") for i, item in enumerate(value)
        )
        if "within" not in raw:
            raise ConfigError("near: needs within: N (tokens)", path=path)
        within = settings.positive_int(raw["within"], (*path, "within"), "within")
        ordered = raw.get("ordered", False)
        if not isinstance(ordered, bool):
            raise ConfigError(
                f"ordered must be true or false, got {ordered!r}", path=(*path, "ordered")
            )
        return Near(operands, within, ordered, scope, path)

    def count(self, raw: dict[object, object], value: object, path: Path, scope: Scope) -> Count:
        operands = self.operand(value, (*path, "count"), scope, "count")
        if "at_least" not in raw:
            raise ConfigError("count: needs at_least: N", path=path)
        at_least = settings.positive_int(raw["at_least"], (*path, "at_least"), "at_least")
        distinct = raw.get("distinct", "terms")
        if distinct not in ("terms", "mentions"):
            raise ConfigError(
                f"distinct must be terms or mentions, got {distinct!r}", path=(*path, "distinct")
            )
        kind: Literal["terms", "mentions"] = distinct
        return Count(operands, at_least, kind, scope, path)


def _show(value: object) -> str:
    return f"a list of {len(value)}" if isinstance(value, list) else type_name(value)


def _topic_id(raw: dict[object, object], path: Path, seen: dict[str, int]) -> str:
    """The topic's id, checked for its spelling and against the ids ``seen`` before it."""
    if "id" not in raw:
        raise ConfigError("topic has no id:", path=path)
    topic_id = require_text(raw["id"], (*path, "id"), "a topic id")
    if not _TOPIC_ID.match(topic_id):
        raise ConfigError(
            f"topic id {topic_id!r}: use letters, digits, '_', '-', '.'", path=(*path, "id")
        )
    if topic_id in seen:
        raise ConfigError(
            f"duplicate topic id {topic_id!r} (also topics[{seen[topic_id]}])",
            path=(*path, "id"),
        )
    return topic_id


def _evidence(match: Condition) -> tuple[Atom, ...]:
    """One unscoped atom per label among the positive atoms of ``match``, in tree order."""
    evidence: dict[str, Atom] = {}
    for atom in positive_atoms(match):
        if atom.label not in evidence:
            # An unscoped atom is its own evidence (and shares its per-article hit cache).
            evidence[atom.label] = (
                atom
                if atom.scope is None
                else Atom(atom.label, atom.terms, atom.ignore, None, atom.path, atom.pids)
            )
    return tuple(evidence.values())


def compile_rules(aliases: object, topics: object) -> RuleSet:
    """Validate raw YAML data (``aliases:`` and ``topics:`` sections) into a ``RuleSet``."""
    compiler = _Compiler()
    compiler.load_aliases(aliases)
    if topics is None:
        topics = []
    if not isinstance(topics, list):
        raise ConfigError(f"topics must be a list, got {type_name(topics)}", path=("topics",))
    seen: dict[str, int] = {}
    compiled = tuple(compiler.topic(raw, i, seen) for i, raw in enumerate(topics))
    lexicon = Lexicon.build(list(compiler.pids))
    return RuleSet.build(compiled, lexicon)
