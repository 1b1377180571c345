"""From the hits of a matched topic to its score, its ``Hit`` list and a marked snippet.

Score (documented for maintainers in ``bot/rules/__init__.py``), over the topic's *evidence
atoms* — every distinct term or ``@alias`` of its ``match:`` outside ``not:`` — counting hits
anywhere in the article (field scopes decide matching, not evidence):

    title     = 3 × atoms found in the title
    lead      = 2 × atoms found in the lead (first paragraph) but not in the title
    body      = 1 × atoms found only further down the body
    repeats   = 0.25 × (mentions − atoms found), at most 2   (mentions: distinct hit positions)
    proximity = 2 − (d − 1) / 6, at least 0, where d is the token distance between the closest
                hits of two different atoms in one field (adjacent = 1, so 2 points; 13+ = 0)

    score = title + lead + body + repeats + proximity, rounded to 2 decimals.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import cast

from bot.model import Field, Hit, Match
from bot.rules.conditions import Atom
from bot.rules.scan import BODY, TITLE, Occurrence, Scan

WEIGHTS = {"title": 3.0, "lead": 2.0, "body": 1.0}
REPEAT_WEIGHT, REPEAT_CAP = 0.25, 2.0
PROXIMITY_MAX, PROXIMITY_STEP = 2.0, 6.0
SNIPPET_CHARS, SNIPPET_BEFORE = 200, 60
_FIELD_ORDER = {"title": 0, "lead": 1, "body": 2}
_PLACE = attrgetter("place")
_MENTION = attrgetter("field", "start")


@dataclass(frozen=True, slots=True)
class Evidence:
    """The hits of each evidence atom that was found, and the score they earn."""

    found: tuple[tuple[Atom, tuple[Occurrence, ...]], ...]
    score: float
    parts: tuple[tuple[str, float], ...]
    closest: tuple[int, str] | None


def gather(atoms: tuple[Atom, ...], scan: Scan) -> Evidence:
    """Collect the hits of ``atoms`` and compute the score from them."""
    present = scan.present
    found_atoms = []
    for atom in atoms:
        if not atom.pids.isdisjoint(present):
            hits = atom.hits(scan)
            if hits:
                found_atoms.append((atom, tuple(hits)))
    found = tuple(found_atoms)
    rank = _FIELD_ORDER.__getitem__
    best_field = [min(map(rank, map(_PLACE, hits))) for _, hits in found]
    mentions = len(set(map(_MENTION, chain.from_iterable(hits for _, hits in found))))
    closest = _closest(scan, found)
    proximity = 0.0
    if closest is not None:
        proximity = max(0.0, PROXIMITY_MAX - (closest[0] - 1) / PROXIMITY_STEP)
    parts = (
        ("title", WEIGHTS["title"] * best_field.count(0)),
        ("lead", WEIGHTS["lead"] * best_field.count(1)),
        ("body", WEIGHTS["body"] * best_field.count(2)),
        ("repeats", min(REPEAT_CAP, REPEAT_WEIGHT * (mentions - len(found)))),
        ("proximity", round(min(PROXIMITY_MAX, proximity), 2)),
    )
    return Evidence(found, round(sum(v for _, v in parts), 2), parts, closest)


def _closest(
    scan: Scan, found: tuple[tuple[Atom, tuple[Occurrence, ...]], ...]
) -> tuple[int, str] | None:
    """Token distance between the closest hits of two different atoms in the same field."""
    if len(found) < 2:
        return None
    best: tuple[int, str] | None = None
    for field in (TITLE, BODY):
        ranges = sorted(
            ((o.first, o.stop), k)
            for k, (_, hits) in enumerate(found)
            for o in hits
            if o.field == field
        )
        last: dict[int, tuple[int, int]] = {}
        for (start, end), k in ranges:
            for other, (_, prev_end) in last.items():
                if other != k:
                    d = max(0, start - prev_end + 1)
                    if best is None or d < best[0]:
                        best = (d, field)
            last[k] = (start, end) if k not in last or end > last[k][1] else last[k]
    return best


def to_match(
    topic_id: str, topic_name: str, scan: Scan, evidence: Evidence, details: dict[str, object]
) -> Match:
    """A filled ``Match``: hits grouped by term, surface and field; snippet with marks."""
    groups: dict[tuple[str, str, Field], list[Occurrence]] = {}
    seen: set[tuple[str, int, int]] = set()
    title, text = scan.article.title, scan.article.text
    for atom, occurrences in evidence.found:
        names = {t.pid: t.text for t in reversed(atom.terms)}
        for occ in occurrences:
            ident = (occ.field, occ.start, occ.pid)
            if ident in seen:
                continue
            seen.add(ident)
            start, end = occ.span
            surface = title[start:end] if occ.field == TITLE else text[start:end]
            key = (names[occ.pid], surface, cast(Field, occ.place))
            group = groups.get(key)
            if group is None:
                groups[key] = [occ]
            else:
                group.append(occ)
    ordered = sorted(groups.items(), key=_group_order)
    hits = tuple(Hit(term, surface, field, len(occs)) for (term, surface, field), occs in ordered)
    snippet, marks = _snippet(scan, [o for _, occs in ordered for o in occs], evidence)
    return Match(
        topic_id=topic_id,
        topic_name=topic_name,
        score=evidence.score,
        hits=hits,
        snippet=snippet,
        marks=marks,
        score_parts=evidence.parts,
        details=details,
    )


def _group_order(item: tuple[tuple[str, str, Field], list[Occurrence]]) -> tuple[int, int]:
    return _FIELD_ORDER[item[0][2]], item[1][0].start


def _snippet(
    scan: Scan, occs: list[Occurrence], evidence: Evidence
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About 200 characters of body around the densest evidence; the title if the body has none."""
    body = [o for o in occs if o.field == BODY]
    if not body:
        title = scan.article.title
        return _cut(title, 0, len(title), [o.span for o in occs])
    atom_of = {
        (o.start, o.pid): k
        for k, (_, hits) in enumerate(evidence.found)
        for o in hits
        if o.field == BODY
    }
    spans = sorted((*o.span, atom_of.get((o.start, o.pid), -1)) for o in body)
    text = scan.article.text
    starts = [a for a, _, _ in spans]
    best_key: tuple[int, int] | None = None
    best_window = (0, 0)
    for anchor, _, _ in spans[:50]:
        start = max(0, anchor - SNIPPET_BEFORE)
        end = min(len(text), start + SNIPPET_CHARS)
        lo, hi = bisect_left(starts, start), bisect_left(starts, end)
        atoms = {k for _, b, k in spans[lo:hi] if b <= end}
        key = (len(atoms), -anchor)
        if best_key is None or key > best_key:
            best_key, best_window = key, (start, end)
    start, end = best_window
    if start > 0:
        cut = text.find(" ", start, start + 30)
        start = cut + 1 if cut >= 0 else start
    if end < len(text):
        cut = text.rfind(" ", end - 30, end)
        end = cut if cut > start else end
    return _cut(text, start, end, [(a, b) for a, b, _ in spans])


def _cut(
    text: str, start: int, end: int, spans: list[tuple[int, int]]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    piece = text[start:end].replace("\n", " ").replace("\r", " ").replace("\t", " ")
    shift = len(prefix) - start
    marks = sorted({(a + shift, b + shift) for a, b in spans if a >= start and b <= end})
    return prefix + piece + suffix, tuple(marks)
