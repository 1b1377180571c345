"""What a condition tree requires of an article's terms, for the cheap checks before ``holds``.

``RuleSet`` skips a topic without evaluating its tree when a required term id is absent; these
functions derive those term-id sets (and the evidence atoms) from a compiled tree.
"""

from __future__ import annotations

from bot.rules.conditions import All, Any_, Atom, Condition, Count, Near


def trigger(node: Condition) -> frozenset[int] | None:
    """Term ids of which at least one must occur for ``node`` to hold (``None``: no such set)."""
    if isinstance(node, Atom):
        return node.pids
    if isinstance(node, All):
        options = [t for t in map(trigger, node.children) if t is not None]
        return min(options, key=len) if options else None
    if isinstance(node, Any_):
        union: set[int] = set()
        for child in node.children:
            t = trigger(child)
            if t is None:
                return None
            union |= t
        return frozenset(union)
    if isinstance(node, Near):
        return min((frozenset().union(*(a.pids for a in op)) for op in node.operands), key=len)
    if isinstance(node, Count):
        return frozenset().union(*(a.pids for a in node.operands))
    return None


def positive_atoms(node: Condition) -> list[Atom]:
    """Atoms whose hits count as evidence for a match (everything outside ``not``)."""
    if isinstance(node, Atom):
        return [node]
    if isinstance(node, All | Any_):
        return [a for child in node.children for a in positive_atoms(child)]
    if isinstance(node, Near):
        return [a for op in node.operands for a in op]
    if isinstance(node, Count):
        return list(node.operands)
    return []


def clauses(node: Condition) -> list[frozenset[int]]:
    """Necessary condition in conjunctive form: for ``node`` to hold, every returned set of term
    ids must meet the terms present in the article. A cheap C-level pre-check before ``holds``."""
    if isinstance(node, Atom):
        return [node.pids]
    if isinstance(node, All):
        return [c for child in node.children for c in clauses(child)]
    if isinstance(node, Near):
        return [frozenset().union(*(a.pids for a in op)) for op in node.operands]
    t = trigger(node)
    return [t] if t is not None else []


def disjunctive(node: Condition, limit: int = 16) -> tuple[frozenset[int], ...] | None:
    """``node`` as alternatives of required term sets (it holds iff one set is all present), for
    trees of plain atoms under all/any; ``None`` when that is impossible or too large."""
    if isinstance(node, Atom):
        if node.scope is not None or node.ignore:
            return None
        return tuple(frozenset({pid}) for pid in sorted(node.pids))
    if isinstance(node, Any_):
        out: list[frozenset[int]] = []
        for child in node.children:
            alternatives = disjunctive(child, limit)
            if alternatives is None:
                return None
            out.extend(alternatives)
        return tuple(out) if len(out) <= limit else None
    if isinstance(node, All):
        product: list[frozenset[int]] = [frozenset()]
        for child in node.children:
            alternatives = disjunctive(child, limit)
            if alternatives is None or len(product) * len(alternatives) > limit:
                return None
            product = [p | a for p in product for a in alternatives]
        return tuple(product)
    return None
