"""Decide whether what is left of a page is only a consent or subscription wall, not an article."""

from __future__ import annotations

import re

from bot.clean.consent_text import normalize_space

_SUBSCRIPTION = re.compile(
    r"\b(subscribe|subscribers?|subscription|already a (member|subscriber)"
    r"|log ?in to (continue|read)"
    r"|sign in to (continue|read)|to continue reading|premium (content|article)|paywall"
    r"|suscr[ií]b\w+|suscriptor\w*|suscripci[oó]n|para seguir leyendo|contenido exclusivo"
    r"|abonn\w+|abo\b|plus-?artikel|weiterlesen mit|jetzt (testen|lesen)"
    r"|r[ée]serv[ée] aux abonn[ée]s"
    r"|pour lire la suite|abbonat\w+|abbonamento|riservato agli abbonati|assinant\w+|assinatura"
    r"|exclusivo para assinantes|abonnee\w*|alleen voor abonnees|lees verder met"
    r"|subskrybent\w*|prenumerat\w+|subskrypcj\w+|tylko dla (subskrybent|prenumerator)\w*)",
    re.I,
)
# Fewer article words than this, once walls and notices are gone, means there is no article.
_MIN_ARTICLE_WORDS = 60


def is_subscription_notice(paragraph: str) -> bool:
    """Whether a short ``paragraph`` asks the reader to subscribe or log in to read on."""
    text = normalize_space(paragraph)
    return len(text) < 400 and bool(_SUBSCRIPTION.search(text))


def is_wall(kept: list[str], consent_removed: int, walls_found: int) -> bool:
    """Whether a page whose article paragraphs are ``kept`` is only a wall.

    ``consent_removed`` counts the consent notices cut, ``walls_found`` the subscription
    prompts found among the paragraphs; a page with neither is short, not walled.
    """
    words = sum(len(p.split()) for p in kept)
    return words < _MIN_ARTICLE_WORDS and (consent_removed > 0 or walls_found > 0)
