"""The condition tree of a topic: terms and aliases, all/any/not, near, count, field scopes.

Each node answers two questions about a ``Scan``: ``holds`` (fast, for matching) and
``explain`` (slow, an ``Outcome`` tree saying what was found and why each condition passed or
failed). Both read the same hits, so they agree; the test suite checks it on every case.

Field scopes are resolved at compile time: every ``Atom`` knows the fields it may look at
(``None`` means title and body). ``lead`` is the first paragraph of the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from operator import itemgetter
from typing import Literal

from bot.rules.proximity import ordered_distance, window_distance
from bot.rules.scan import BODY, TITLE, Occurrence, Scan
from bot.rules.terms import Path, Term

Scope = frozenset[str] | None
FIELD_NAMES = ("title", "lead", "body")


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one condition fared on one article: passed or not, and a note on the evidence."""

    path: Path
    label: str
    passed: bool
    note: str
    children: tuple[Outcome, ...] = ()

    def first_failure(self) -> Outcome | None:
        """The innermost condition that made this one fail (``None`` if it passed)."""
        if self.passed:
            return None
        if self.label.startswith("all"):
            for child in self.children:
                if not child.passed:
                    return child.first_failure()
        return self


def scope_label(scope: Scope) -> str:
    return "" if scope is None else "+".join(f for f in FIELD_NAMES if f in scope) + ": "


@dataclass(frozen=True, slots=True, eq=False)
class Atom:
    """A term or an ``@alias``: holds when one of its terms occurs in scope, outside ``ignore``."""

    label: str
    terms: tuple[Term, ...]
    ignore: tuple[Term, ...]
    scope: Scope
    path: Path
    pids: frozenset[int]
    # Term id -> the term as written (for explanations).
    names: dict[int, str] = dataclass_field(init=False, repr=False)

    def __post_init__(self) -> None:
        # The first term written wins when two spell the same key ("Trump", "trump").
        object.__setattr__(self, "names", {t.pid: t.text for t in reversed(self.terms)})

    def holds(self, scan: Scan) -> bool:
        if not self.ignore:
            if self.scope is None:
                return not self.pids.isdisjoint(scan.present)
            if self.scope == _TITLE_ONLY:
                return not self.pids.isdisjoint(scan.present_title)
        if self.pids.isdisjoint(scan.present):
            return False
        return bool(self.hits(scan))

    def hits(self, scan: Scan) -> list[Occurrence]:
        """Occurrences in scope, not masked by an ignore phrase, in field and text order."""
        cached: list[Occurrence] | None = scan.cache.get(self)
        if cached is not None:
            return cached
        found: list[Occurrence]
        if self.scope is None and not self.ignore:
            if len(self.terms) == 1:
                pid = self.terms[0].pid
                found = scan.occurrences(BODY, pid)  # shared with the scan's cache: not mutated
                if pid in scan.present_title:
                    found = scan.occurrences(TITLE, pid) + found
            else:
                # Stable sorts by start within each field: the title comes first.
                title = [o for t in self.terms for o in scan.occurrences(TITLE, t.pid)]
                body = [o for t in self.terms for o in scan.occurrences(BODY, t.pid)]
                found = sorted(title, key=_START) + sorted(body, key=_START)
            scan.cache[self] = found
            return found
        found = []
        for field in (TITLE, BODY):
            if not self._may_look_at(field):
                continue
            masks = [o for t in self.ignore for o in scan.occurrences(field, t.pid)]
            for term in self.terms:
                for occ in scan.occurrences(field, term.pid):
                    if self.scope is not None and not self._in_scope(occ, scan):
                        continue
                    if any(m.start < occ.end and occ.start < m.end for m in masks):
                        continue
                    found.append(occ)
        found.sort(key=_reading_order)
        scan.cache[self] = found
        return found

    def masked(self, scan: Scan) -> list[Occurrence]:
        """Occurrences hidden by an ignore phrase (for explanations)."""
        out: list[Occurrence] = []
        for field in (TITLE, BODY):
            masks = [o for t in self.ignore for o in scan.occurrences(field, t.pid)]
            for term in self.terms:
                out += [
                    o
                    for o in scan.occurrences(field, term.pid)
                    if any(m.start < o.end and o.start < m.end for m in masks)
                ]
        return out

    def _may_look_at(self, field: str) -> bool:
        if self.scope is None:
            return True
        if field == TITLE:
            return TITLE in self.scope
        return BODY in self.scope or "lead" in self.scope

    def _in_scope(self, occ: Occurrence, scan: Scan) -> bool:
        assert self.scope is not None
        if occ.field == TITLE:
            return TITLE in self.scope
        return BODY in self.scope or occ.place == "lead"

    def explain(self, scan: Scan) -> Outcome:
        hits = self.hits(scan)
        label = scope_label(self.scope) + self.label
        if hits:
            return Outcome(self.path, label, True, "found: " + describe_hits(scan, hits))
        note = "not found"
        masked = self.masked(scan) if self.ignore else []
        if masked:
            note += " (masked by ignore: " + describe_hits(scan, masked) + ")"
        elif self.scope is not None and self.pids & scan.present:
            unscoped = Atom(self.label, self.terms, self.ignore, None, self.path, self.pids)
            if unscoped.hits(scan):
                note += (
                    " in scope (only elsewhere: " + describe_hits(scan, unscoped.hits(scan)) + ")"
                )
        return Outcome(self.path, label, False, note)


_TITLE_ONLY = frozenset({TITLE})
_START = itemgetter(1)  # Occurrence.start


def _reading_order(occ: Occurrence) -> tuple[bool, int]:
    return occ.field != TITLE, occ.start


def describe_hits(scan: Scan, hits: list[Occurrence], limit: int = 6) -> str:
    """``Zelensky (title), Зеленського ×2 (body)``: surfaces grouped by field."""
    counts: dict[tuple[str, str], int] = {}
    for occ in hits:
        key = (scan.surface(occ), occ.place)
        counts[key] = counts.get(key, 0) + 1
    parts = [
        f"{surface}{' ×' + str(n) if n > 1 else ''} ({field})"
        for (surface, field), n in list(counts.items())[:limit]
    ]
    if len(counts) > limit:
        parts.append(f"… {len(counts) - limit} more")
    return ", ".join(parts)


@dataclass(frozen=True, slots=True, eq=False)
class All:
    """Every child holds."""

    children: tuple[Condition, ...]
    scope: Scope
    path: Path

    def holds(self, scan: Scan) -> bool:
        return all(child.holds(scan) for child in self.children)

    def explain(self, scan: Scan) -> Outcome:
        kids = tuple(child.explain(scan) for child in self.children)
        passed = all(k.passed for k in kids)
        note = "" if passed else f"{sum(not k.passed for k in kids)} of {len(kids)} failed"
        return Outcome(self.path, "all" + _scope_suffix(self.scope), passed, note, kids)


@dataclass(frozen=True, slots=True, eq=False)
class Any_:
    """At least one child holds."""

    children: tuple[Condition, ...]
    scope: Scope
    path: Path

    def holds(self, scan: Scan) -> bool:
        return any(child.holds(scan) for child in self.children)

    def explain(self, scan: Scan) -> Outcome:
        kids = tuple(child.explain(scan) for child in self.children)
        passed = any(k.passed for k in kids)
        note = "" if passed else "none holds: " + _labels(kids)
        return Outcome(self.path, "any" + _scope_suffix(self.scope), passed, note, kids)


@dataclass(frozen=True, slots=True, eq=False)
class Not:
    """The child does not hold."""

    child: Condition
    path: Path

    def holds(self, scan: Scan) -> bool:
        return not self.child.holds(scan)

    def explain(self, scan: Scan) -> Outcome:
        kid = self.child.explain(scan)
        note = "" if not kid.passed else "the negated condition holds"
        return Outcome(self.path, "not", not kid.passed, note, (kid,))


def _labels(kids: tuple[Outcome, ...], limit: int = 5) -> str:
    names = [k.label for k in kids[:limit]]
    return ", ".join(names) + (f", … {len(kids) - limit} more" if len(kids) > limit else "")


def _scope_suffix(scope: Scope) -> str:
    return "" if scope is None else " in " + "+".join(f for f in FIELD_NAMES if f in scope)


@dataclass(frozen=True, slots=True, eq=False)
class Near:
    """One hit of each operand within ``within`` tokens in the same field (in order if asked).

    Distance counts token steps from the end of the first hit to the start of the last:
    adjacent tokens (``Zelensky-Trump``) are 1 apart, overlapping hits 0.
    """

    operands: tuple[tuple[Atom, ...], ...]
    within: int
    ordered: bool
    scope: Scope
    path: Path

    def holds(self, scan: Scan) -> bool:
        for operand in self.operands:
            if not any(atom.pids & scan.present for atom in operand):
                return False
        best = self.closest(scan)
        return best is not None and best[0] <= self.within

    def closest(self, scan: Scan) -> tuple[int, str] | None:
        """The smallest distance found and its field, or ``None`` when no field has them all."""
        cached: tuple[int, str] | bool | None = scan.cache.get(self, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        best: tuple[int, str] | None = None
        for field in (TITLE, BODY):
            ranges = []
            for operand in self.operands:
                spans = sorted(
                    {
                        (o.first, o.stop)
                        for atom in operand
                        for o in atom.hits(scan)
                        if o.field == field
                    }
                )
                if not spans:
                    break
                ranges.append(spans)
            else:
                distance = ordered_distance(ranges) if self.ordered else window_distance(ranges)
                if distance is not None and (best is None or distance < best[0]):
                    best = (distance, field)
        scan.cache[self] = best
        return best

    def explain(self, scan: Scan) -> Outcome:
        names = ", ".join(_operand_label(op) for op in self.operands)
        label = f"{scope_label(self.scope)}near({names}) within {self.within}"
        if self.ordered:
            label += ", ordered"
        missing = [_operand_label(op) for op in self.operands if not any(a.hits(scan) for a in op)]
        if missing:
            return Outcome(self.path, label, False, "not found: " + ", ".join(missing))
        best = self.closest(scan)
        if best is None:
            note = "never in the same field" + (" in that order" if self.ordered else "")
            return Outcome(self.path, label, False, note)
        distance, field = best
        passed = distance <= self.within
        note = f"closest: {distance} token{'s' if distance != 1 else ''} apart in {field}"
        return Outcome(self.path, label, passed, note)


def _operand_label(operand: tuple[Atom, ...]) -> str:
    return (
        operand[0].label if len(operand) == 1 else "[" + ", ".join(a.label for a in operand) + "]"
    )


@dataclass(frozen=True, slots=True, eq=False)
class Count:
    """At least ``at_least`` distinct terms (or distinct mentions) among the operands."""

    operands: tuple[Atom, ...]
    at_least: int
    distinct: Literal["terms", "mentions"]
    scope: Scope
    path: Path

    def holds(self, scan: Scan) -> bool:
        if not any(atom.pids & scan.present for atom in self.operands):
            return False
        return self.tally(scan) >= self.at_least

    def tally(self, scan: Scan) -> int:
        hits = [o for atom in self.operands for o in atom.hits(scan)]
        if self.distinct == "terms":
            return len({o.pid for o in hits})
        return len({(o.field, o.start) for o in hits})

    def explain(self, scan: Scan) -> Outcome:
        names = _operand_label(self.operands)
        label = f"{scope_label(self.scope)}count({names}) at least {self.at_least} {self.distinct}"
        hits = [o for atom in self.operands for o in atom.hits(scan)]
        n = self.tally(scan)
        note = f"{n} distinct {self.distinct}"
        if hits:
            note += ": " + describe_hits(scan, hits)
        return Outcome(self.path, label, n >= self.at_least, note)


Condition = Atom | All | Any_ | Not | Near | Count
