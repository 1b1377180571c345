"""Compiled topics and the matching stage: ``RuleSet.match``, ``explain`` and ``check_examples``.

Decision order for one topic and one article: blocked article → language filter → source
filter → ``match:`` → ``exclude:`` → ``min_score``. Filters reject only on positive evidence:
an article whose language is unknown passes ``languages:``, and ``sources:`` is not applied when
the caller names no source (ad-hoc matching, topic examples).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Literal

import numpy
from numpy.typing import NDArray

from bot.model import Article, Hit, Match
from bot.rules.conditions import Atom, Condition, Outcome
from bot.rules.evidence import Evidence, gather, to_match
from bot.rules.scan import Lexicon, Scan

Status = Literal[
    "matched",
    "no_match",
    "excluded",
    "low_score",
    "language",
    "source",
    "blocked",
]


@dataclass(frozen=True, slots=True, eq=False)
class Topic:
    """One compiled topic: its condition trees, filters, examples and evidence atoms."""

    id: str
    name: str
    match: Condition
    exclude: Condition | None
    languages: frozenset[str] | None
    sources_include: tuple[str, ...]
    sources_exclude: tuple[str, ...]
    min_score: float
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]
    evidence: tuple[Atom, ...]
    trigger: frozenset[int] | None
    index: int
    required: frozenset[int] = frozenset()
    groups: tuple[frozenset[int], ...] = ()
    alternatives: tuple[frozenset[int], ...] | None = None

    def language_ok(self, language: str | None) -> bool:
        if self.languages is None or not language:
            return True
        return language.lower().replace("_", "-").split("-")[0] in self.languages

    def source_ok(self, source_id: str | None, source_host: str | None) -> bool:
        if source_id is None and source_host is None:
            return True
        ident = (source_id or "").lower()
        host = (source_host or "").lower().rstrip(".")

        def named(entry: str) -> bool:
            return entry == ident or (bool(host) and (host == entry or host.endswith("." + entry)))

        if self.sources_include and not any(named(e) for e in self.sources_include):
            return False
        return not any(named(e) for e in self.sources_exclude)


@dataclass(frozen=True, slots=True)
class TopicExplanation:
    """Why a topic did or did not fire on one article: status, condition tree, score, hits."""

    topic_id: str
    topic_name: str
    status: Status
    reason: str
    condition: Outcome
    exclude: Outcome | None
    score: float
    score_parts: tuple[tuple[str, float], ...]
    min_score: float
    hits: tuple[Hit, ...]
    match: Match | None

    @property
    def matched(self) -> bool:
        return self.status == "matched"

    @property
    def progress(self) -> float:
        """Share of the top-level ``match:`` conditions that held (to rank near misses)."""
        kids = self.condition.children if self.condition.label.startswith("all") else ()
        if not kids:
            return 1.0 if self.condition.passed else 0.0
        return sum(k.passed for k in kids) / len(kids)


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    """A topic's ``tests:`` example that was decided the other way."""

    topic_id: str
    text: str
    expected: Literal["match", "no_match"]
    reason: str
    topic_index: int = 0
    """Where the example is written: ``topics[topic_index].tests.<expected>[index]``."""
    index: int = 0

    def __str__(self) -> str:
        want = "should match" if self.expected == "match" else "should not match"
        return f"topic {self.topic_id}: {want}: {self.text!r} ({self.reason})"


def example_article(text: str) -> Article:
    """An example string as an article: it is both title and body, language unknown."""
    return Article(url=None, title=text, author=None, published=None, language=None, text=text)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """All compiled topics and the automaton over their terms.

    A topic whose ``match:`` is a plain all/any tree of atoms holds exactly when one of its
    ``alternatives`` (sets of term ids) is all present. The distinct alternatives, largest
    first, are laid out as columns of term ids: ``alternative_columns[j][i]`` is the j-th term
    of alternative i (column j is as long as the number of alternatives with more than j
    terms). A few vectorized passes over a mask of the article's terms then find the satisfied
    alternatives, and only their topics (``alternative_topics[i]``) are evaluated. The passes
    read a few contiguous arrays (all alternatives, about 19,000 ids at bench/match.py's 5,000
    topics); following each present term to the alternatives filed under it and testing each
    frozenset chased pointers instead, and cost 1.8x as much per article there. Any other topic
    is evaluated when a term of its ``trigger`` occurs (or always, without one).
    """

    topics: tuple[Topic, ...]
    lexicon: Lexicon = field(repr=False, compare=False)
    by_term: dict[int, tuple[int, ...]] = field(repr=False, compare=False)
    always: tuple[int, ...] = field(repr=False, compare=False)
    by_id: dict[str, Topic] = field(repr=False, compare=False)
    alternative_columns: tuple[NDArray[numpy.intp], ...] = field(repr=False, compare=False)
    alternative_topics: tuple[tuple[int, ...], ...] = field(repr=False, compare=False)

    @staticmethod
    def build(topics: tuple[Topic, ...], lexicon: Lexicon) -> RuleSet:
        by_term: dict[int, list[int]] = {}
        always = []
        by_alternative: dict[frozenset[int], list[int]] = {}
        for topic in topics:
            if topic.alternatives is not None:
                for alternative in topic.alternatives:
                    indexes = by_alternative.setdefault(alternative, [])
                    if topic.index not in indexes:
                        indexes.append(topic.index)
            elif topic.trigger is None:
                always.append(topic.index)
            else:
                for pid in topic.trigger:
                    by_term.setdefault(pid, []).append(topic.index)
        ordered = sorted(by_alternative.items(), key=lambda item: -len(item[0]))
        terms = [sorted(alternative) for alternative, _ in ordered]
        width = len(terms[0]) if terms else 0
        columns = tuple(
            numpy.array([t[j] for t in terms if len(t) > j], dtype=numpy.intp) for j in range(width)
        )
        return RuleSet(
            topics=topics,
            lexicon=lexicon,
            by_term={pid: tuple(ix) for pid, ix in by_term.items()},
            always=tuple(always),
            by_id={t.id: t for t in topics},
            alternative_columns=columns,
            alternative_topics=tuple(tuple(ix) for _, ix in ordered),
        )

    def _satisfied(self, present: set[int]) -> list[int]:
        """Indexes of the alternatives whose terms are all in ``present``."""
        mask = numpy.zeros(len(self.lexicon.keys), dtype=bool)
        mask[numpy.fromiter(present, dtype=numpy.intp, count=len(present))] = True
        first, *others = self.alternative_columns
        met = mask.take(first)
        for column in others:
            part = met[: len(column)]
            numpy.logical_and(part, mask.take(column), out=part)
        satisfied: list[int] = numpy.flatnonzero(met).tolist()
        return satisfied

    def topic(self, topic_id: str) -> Topic | None:
        return self.by_id.get(topic_id)

    def scan(self, article: Article) -> Scan:
        """Run the automaton over an article once (exposed for callers matching many rule sets)."""
        return Scan(article, self.lexicon)

    def match(
        self, article: Article, *, source_id: str | None = None, source_host: str | None = None
    ) -> tuple[Match, ...]:
        """Every topic that fires on ``article``, best score first (config order on ties)."""
        if article.blocked or not self.topics:
            return ()
        scan = Scan(article, self.lexicon)
        present = scan.present
        candidates = set(self.always)
        if self.by_term:
            candidates.update(chain.from_iterable(filter(None, map(self.by_term.get, present))))
        if present and self.alternative_topics:
            topics = map(self.alternative_topics.__getitem__, self._satisfied(present))
            candidates.update(chain.from_iterable(topics))
        out = []
        for index in sorted(candidates):
            topic = self.topics[index]
            if topic.languages is not None and not topic.language_ok(article.language):
                continue
            if (topic.sources_include or topic.sources_exclude) and not topic.source_ok(
                source_id, source_host
            ):
                continue
            # A topic with alternatives is a candidate only when one of them is all present,
            # which is its whole match: condition. Others get the cheap necessary checks first.
            if topic.alternatives is None and not (
                topic.required <= present
                and (not topic.groups or _meets_all(topic.groups, present))
                and topic.match.holds(scan)
            ):
                continue
            if topic.exclude is not None and topic.exclude.holds(scan):
                continue
            evidence = gather(topic.evidence, scan)
            if evidence.score < topic.min_score:
                continue
            out.append(to_match(topic.id, topic.name, scan, evidence, _details(topic, evidence)))
        out.sort(key=lambda m: -m.score)
        return tuple(out)

    def explain(
        self, article: Article, *, source_id: str | None = None, source_host: str | None = None
    ) -> tuple[TopicExplanation, ...]:
        """Every topic, in config order, with its decision and the evidence behind it."""
        scan = Scan(article, self.lexicon)
        return tuple(
            explain_topic(t, scan, source_id=source_id, source_host=source_host)
            for t in self.topics
        )

    def check_examples(self) -> list[ExampleFailure]:
        """Run every topic's ``tests:`` examples (see ``example_article``); return the failures."""
        failures: list[ExampleFailure] = []
        for topic in self.topics:
            cases = [(t, "match", j) for j, t in enumerate(topic.examples_match)]
            cases += [(t, "no_match", j) for j, t in enumerate(topic.examples_no_match)]
            for text, expected, j in cases:
                result = explain_topic(topic, Scan(example_article(text), self.lexicon))
                if result.matched != (expected == "match"):
                    reason = result.reason if expected == "match" else "matched: " + result.reason
                    failures.append(
                        ExampleFailure(topic.id, text, expected, reason, topic.index, j)  # type: ignore[arg-type]
                    )
        return failures


def _meets_all(groups: tuple[frozenset[int], ...], present: set[int]) -> bool:
    # A plain loop: this runs for hundreds of candidate topics per article.
    for group in groups:  # noqa: SIM110
        if group.isdisjoint(present):
            return False
    return True


_FIELDS = {
    ("title", "title"): ("title",),
    ("body", "body"): ("body",),
    ("title", "body"): ("body", "title"),
}


def _details(topic: Topic, evidence: Evidence) -> dict[str, object]:
    details: dict[str, object] = {
        # Hits are in reading order, title first: the first and last give the fields.
        "found": {
            atom.label: list(_FIELDS[hits[0].field, hits[-1].field])
            for atom, hits in evidence.found
        },
    }
    if evidence.closest is not None:
        details["closest"] = {"tokens": evidence.closest[0], "field": evidence.closest[1]}
    if topic.min_score:
        details["min_score"] = topic.min_score
    return details


def explain_topic(
    topic: Topic, scan: Scan, *, source_id: str | None = None, source_host: str | None = None
) -> TopicExplanation:
    """The full decision for one topic, following the same order as ``RuleSet.match``."""
    article = scan.article
    condition = topic.match.explain(scan)
    exclude = topic.exclude.explain(scan) if topic.exclude is not None else None
    evidence = gather(topic.evidence, scan)
    match: Match | None = None
    status: Status
    if article.blocked:
        status, reason = "blocked", "the article is a consent or subscription wall"
    elif not topic.language_ok(article.language):
        langs = ", ".join(sorted(topic.languages or ()))
        status, reason = "language", f"language {article.language} is not one of {langs}"
    elif not topic.source_ok(source_id, source_host):
        status, reason = "source", f"source {source_id or source_host} is filtered out by sources:"
    elif not condition.passed:
        failed = condition.first_failure() or condition
        status, reason = "no_match", f"{_where(failed)} {failed.label}: {failed.note}".strip()
    elif exclude is not None and exclude.passed:
        status, reason = "excluded", f"exclude: {exclude.label} holds: {_first_pass(exclude)}"
    elif evidence.score < topic.min_score:
        status = "low_score"
        reason = f"score {evidence.score:g} is below min_score {topic.min_score:g}"
    else:
        status = "matched"
        match = to_match(topic.id, topic.name, scan, evidence, _details(topic, evidence))
        reason = match.reason
    hits = match.hits if match is not None else _hits_only(topic, scan, evidence)
    return TopicExplanation(
        topic_id=topic.id,
        topic_name=topic.name,
        status=status,
        reason=reason,
        condition=condition,
        exclude=exclude,
        score=evidence.score,
        score_parts=evidence.parts,
        min_score=topic.min_score,
        hits=hits,
        match=match,
    )


def _hits_only(topic: Topic, scan: Scan, evidence: Evidence) -> tuple[Hit, ...]:
    if not evidence.found:
        return ()
    return to_match(topic.id, topic.name, scan, evidence, {}).hits


def _where(outcome: Outcome) -> str:
    return key_path(outcome.path[2:]) + ":"


def _first_pass(outcome: Outcome) -> str:
    for child in outcome.children:
        if child.passed:
            return _first_pass(child)
    return f"{outcome.label} ({outcome.note})" if outcome.note else outcome.label


def key_path(path: tuple[str | int, ...]) -> str:
    """``match.all[3].any[1]``: a path inside a topic the way it reads in YAML."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
