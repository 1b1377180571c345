"""Human-readable text of a ``TopicExplanation``, for ``newsbot match --explain``."""

from __future__ import annotations

from bot.rules.conditions import Outcome
from bot.rules.ruleset import TopicExplanation, key_path

_STATUS = {
    "matched": "MATCH",
    "no_match": "no match",
    "excluded": "excluded",
    "low_score": "score too low",
    "language": "language filtered",
    "source": "source filtered",
    "blocked": "blocked article",
}


def format_explanation(expl: TopicExplanation) -> str:
    """Lines: verdict and reason, score and its parts, the condition tree, hits, snippet."""
    lines = [
        f"{expl.topic_id} ({expl.topic_name}): {_STATUS[expl.status]} — {expl.reason}",
        "  score "
        + format_score(expl.score, expl.score_parts)
        + (f" (min_score {expl.min_score:g})" if expl.min_score else ""),
        "  match:",
    ]
    lines += _tree(expl.condition, 2)
    if expl.exclude is not None:
        lines.append("  exclude:")
        lines += _tree(expl.exclude, 2)
    if expl.hits:
        lines.append(
            "  hits: "
            + ", ".join(
                f"{h.surface} [{h.term}] ({h.field}{' ×' + str(h.count) if h.count > 1 else ''})"
                for h in expl.hits
            )
        )
    if expl.match is not None and expl.match.snippet:
        lines.append("  snippet: " + expl.match.marked_snippet())
    return "\n".join(lines)


def format_score(score: float, parts: tuple[tuple[str, float], ...]) -> str:
    """``12.25 = title 9 + lead 0 + body 0 + repeats 1.25 + proximity 2``."""
    return f"{score:g} = " + " + ".join(f"{name} {value:g}" for name, value in parts)


def _tree(outcome: Outcome, depth: int) -> list[str]:
    mark = "✓" if outcome.passed else "✗"
    where = key_path(outcome.path[2:])
    note = f" — {outcome.note}" if outcome.note else ""
    lines = [f"{'  ' * depth}{mark} {outcome.label}{note}   [{where}]"]
    for child in outcome.children:
        lines += _tree(child, depth + 1)
    return lines
