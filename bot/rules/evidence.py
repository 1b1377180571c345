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
from typing import NamedTuple

from bot.model import Article, Field, Hit, Match
from bot.rules.conditions import Atom
from bot.rules.scan import BODY, TITLE, Occurrence, Scan

WEIGHTS = {"title": 3.0, "lead": 2.0, "body": 1.0}
REPEAT_WEIGHT, REPEAT_CAP = 0.25, 2.0
PROXIMITY_MAX, PROXIMITY_STEP = 2.0, 6.0
SNIPPET_CHARS, SNIPPET_BEFORE = 200, 60
_FIELD_ORDER = {"title": 0, "lead": 1, "body": 2}
# The proximity part for each token distance, rounded to hundredths; 0 from _FAR on.
_FAR = 1 + round(PROXIMITY_MAX * PROXIMITY_STEP) + 1
_PROXIMITY = tuple(
    round(min(PROXIMITY_MAX, max(0.0, PROXIMITY_MAX - (d - 1) / PROXIMITY_STEP)), 2)
    for d in range(_FAR + 1)
)
_WEIGHTS_H = {field: round(weight * 100) for field, weight in WEIGHTS.items()}
_PROXIMITY_H = tuple(round(p * 100) for p in _PROXIMITY)
_REPEAT_H, _REPEAT_CAP_H = round(REPEAT_WEIGHT * 100), round(REPEAT_CAP * 100)
_TITLE_H, _LEAD_H, _BODY_H = _WEIGHTS_H["title"], _WEIGHTS_H["lead"], _WEIGHTS_H["body"]


class Evidence(NamedTuple):
    """The hits of each evidence atom that was found, and the score they earn."""

    found: tuple[tuple[Atom, tuple[Occurrence, ...]], ...]
    score: float
    parts: tuple[tuple[str, float], ...]
    closest: tuple[int, str] | None


def gather(atoms: tuple[Atom, ...], scan: Scan) -> Evidence:
    """Collect the hits of ``atoms`` and compute the score from them."""
    present = scan.present
    found_atoms = []
    # Hits come in reading order (title, lead, rest of the body): the first is the best placed.
    title = lead = 0
    for atom in atoms:
        if not atom.pids.isdisjoint(present):
            hits = atom.hits(scan)
            if hits:
                found_atoms.append((atom, tuple(hits)))
                place = hits[0][6]  # Occurrence.place
                if place == "title":
                    title += 1
                elif place == "lead":
                    lead += 1
    found = tuple(found_atoms)
    atoms_found = len(found)
    if atoms_found == 1 and len(found[0][1]) == 1:
        mentions, closest = 1, None
    else:
        mentions = len({(o[0], o[1]) for _, hits in found for o in hits})  # (field, start)
        closest = _closest(found) if atoms_found > 1 else None
    # Every part is a whole number of hundredths: worked out as integers, each part and the
    # total are exact after one division (round(sum, 2) without float rounding per match).
    t = _TITLE_H * title
    ld = _LEAD_H * lead
    b = _BODY_H * (atoms_found - title - lead)
    r = min(_REPEAT_CAP_H, _REPEAT_H * (mentions - atoms_found))
    p = 0 if closest is None else _PROXIMITY_H[min(closest[0], _FAR)]
    parts = (
        ("title", t / 100),
        ("lead", ld / 100),
        ("body", b / 100),
        ("repeats", r / 100),
        ("proximity", p / 100),
    )
    return Evidence(found, (t + ld + b + r + p) / 100, parts, closest)


def _closest(found: tuple[tuple[Atom, tuple[Occurrence, ...]], ...]) -> tuple[int, str] | None:
    """Token distance between the closest hits of two different atoms in the same field."""
    title: list[tuple[int, int, int]] = []
    body: list[tuple[int, int, int]] = []
    for k, (_, hits) in enumerate(found):
        for o in hits:
            (title if o[0] == TITLE else body).append((o.first, o.stop, k))
    best: tuple[int, str] | None = None
    for field, ranges in ((TITLE, title), (BODY, body)):
        if len(ranges) < 2:
            continue
        ranges.sort()
        last: dict[int, int] = {}  # atom -> furthest end of its hits so far
        for start, end, k in ranges:
            for other, prev_end in last.items():
                if other != k:
                    d = start - prev_end + 1
                    if d < 0:
                        d = 0
                    if best is None or d < best[0]:
                        best = (d, field)
            if end > last.get(k, -1):
                last[k] = end
    return best


def to_match(
    topic_id: str, topic_name: str, scan: Scan, evidence: Evidence, details: dict[str, object]
) -> Match:
    """A filled ``Match``: hits grouped by term, surface and field; snippet with marks."""
    groups: dict[tuple[str, str, Field], list[Occurrence]] = {}
    # Each occurrence once (atoms may share terms: the scan hands out the same objects), with
    # the last atom that holds it.
    atom_of: dict[int, int] = {}
    unique: list[Occurrence] = []
    article = scan.article
    title, text = article.title, article.text
    for k, (atom, occurrences) in enumerate(evidence.found):
        names = atom.names
        for occ in occurrences:
            ident = id(occ)
            if ident in atom_of:
                atom_of[ident] = k
                continue
            atom_of[ident] = k
            unique.append(occ)
            field, _, _, pid, _, _, place, (start, end) = occ
            key = (names[pid], title[start:end] if field == TITLE else text[start:end], place)
            group = groups.get(key)
            if group is None:
                groups[key] = [occ]
            else:
                group.append(occ)
    ordered = sorted(groups.items(), key=_group_order) if len(groups) > 1 else groups.items()
    hits = tuple([Hit(term, surface, field, len(occs)) for (term, surface, field), occs in ordered])
    snippet, marks = _snippet(article, unique, atom_of)
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


def _group_order(item: tuple[tuple[str, str, str], list[Occurrence]]) -> tuple[int, int]:
    return _FIELD_ORDER[item[0][2]], item[1][0][1]  # field, then Occurrence.start


def _snippet(
    article: Article, occs: list[Occurrence], atom_of: dict[int, int]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About 200 characters of body around the densest evidence; the title if the body has none."""
    spans = [(*o[7], atom_of[id(o)]) for o in occs if o[0] == BODY]  # Occurrence.span
    if not spans:
        title = article.title
        return _cut(title, 0, len(title), [o[7] for o in occs])
    text = article.text
    size = len(text)
    if len(spans) == 1:
        start = max(0, spans[0][0] - SNIPPET_BEFORE)
        end = min(size, start + SNIPPET_CHARS)
    else:
        spans.sort()
        start, end = _densest_window(spans, size)
    if start > 0:
        cut = text.find(" ", start, start + 30)
        start = cut + 1 if cut >= 0 else start
    if end < size:
        cut = text.rfind(" ", end - 30, end)
        end = cut if cut > start else end
    return _cut(text, start, end, [(a, b) for a, b, _ in spans])


def _densest_window(spans: list[tuple[int, int, int]], size: int) -> tuple[int, int]:
    """The snippet window, anchored before a hit, holding hits of the most atoms (earliest)."""
    starts = [a for a, _, _ in spans]
    best_key: tuple[int, int] | None = None
    best_window = (0, 0)
    for anchor in starts[:50]:
        start = anchor - SNIPPET_BEFORE
        if start < 0:
            start = 0
        end = start + SNIPPET_CHARS
        if end > size:
            end = size
        lo, hi = bisect_left(starts, start), bisect_left(starts, end)
        key = (len({k for _, b, k in spans[lo:hi] if b <= end}), -anchor)
        if best_key is None or key > best_key:
            best_key, best_window = key, (start, end)
    return best_window


def _cut(
    text: str, start: int, end: int, spans: list[tuple[int, int]]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    piece = text[start:end]
    for space in "\n\r\t":
        if space in piece:
            piece = piece.replace(space, " ")
    shift = len(prefix) - start
    marks = sorted({(a + shift, b + shift) for a, b in spans if a >= start and b <= end})
    return prefix + piece + suffix, tuple(marks)
