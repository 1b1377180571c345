"""Decide whether what is left of a page is only a consent or subscription wall, not an article."""

from __future__ import annotations

import re

from bot.clean.consent_text import normalize_space, word_count

_SUBSCRIPTION = re.compile(
    r"\b(subscribe (now )?(to|for) (continue|keep) reading|subscribe to (read|unlock"
    r"|get full access)"
    r"|(already|are you) a (subscriber|member)\??|(for|to) subscribers only|subscribers? only"
    r"|(this|the) (article|story|content) is (only )?(available|reserved|exclusive) (to|for)"
    r" (subscribers|members)|(log|sign) ?in to (continue|keep) reading|to continue reading,? "
    r"(please )?(subscribe|log ?in|sign ?in|register)|create a free account to (continue|read)"
    r"|you('ve| have) reached (your|the) (limit|maximum) of free articles"
    r"|suscr[ií]b[ea]te para (seguir|continuar) leyendo|contenido (exclusivo"
    r"|solo) para suscriptores"
    r"|(ya eres|¿ya eres) suscriptor|este art[ií]culo es exclusivo para suscriptores"
    r"|jetzt (abonnieren|abo abschlie[sß]en) und weiterlesen|(exklusiv )?f[uü]r abonnenten"
    r"|(bereits|schon) abonnent|weiterlesen mit (plus|\w+\+)|dieser artikel ist nur f[uü]r"
    r"|r[ée]serv[ée] aux abonn[ée]s|(d[ée]j[aà]|vous [êe]tes) abonn[ée]"
    r"|abonnez-vous pour lire la suite"
    r"|pour lire la suite|contenuto riservato agli abbonati|(sei gi[aà]|gi[aà]) abbonato"
    r"|abbonati per (continuare|leggere)|conte[uú]do exclusivo para assinantes|j[aá] [ée] assinante"
    r"|assine para (continuar|ler)|alleen voor abonnees|(al|ben je al) abonnee|lees verder met"
    r"|word abonnee|tylko dla (subskrybent|prenumerator)\w*|(masz ju[zż]|jeste[sś] ju[zż])"
    r" (subskrypcj|prenumerat)\w*|wykup (subskrypcj|prenumerat)\w* aby)",
    re.I,
)
# Fewer article words than this, once walls and notices are gone, means there is no article.
_MIN_ARTICLE_WORDS = 60
_MAX_PROMPT = 400
# Every prompt contains one of these; most paragraphs are ruled out by these cheap lookups.
PROMPT_STEMS = (
    "subscri",
    "suscri",
    "abonn",
    "abbona",
    "abo ",
    "assina",
    "subskryp",
    "prenumer",
    "member",
    "log in",
    "login",
    "sign in",
    "account",
    "free articles",
    "lire la suite",
    "weiterlesen",
    "lees verder",
)


def is_subscription_notice(paragraph: str) -> bool:
    """Whether a short ``paragraph`` asks the reader to subscribe or log in to read on."""
    if len(paragraph) > _MAX_PROMPT * 2:
        return False
    lowered = paragraph.lower()
    if not any(map(lowered.__contains__, PROMPT_STEMS)):
        return False
    text = normalize_space(paragraph)
    return len(text) < _MAX_PROMPT and bool(_SUBSCRIPTION.search(text))


def is_wall(kept: list[str], consent_removed: int, walls_found: int) -> bool:
    """Whether a page whose article paragraphs are ``kept`` is only a wall.

    ``consent_removed`` counts the consent notices cut, ``walls_found`` the subscription
    prompts found among the paragraphs; a page with neither is short, not walled.
    """
    if consent_removed == 0 and walls_found == 0:
        return False
    words = 0
    for paragraph in kept:
        words += word_count(paragraph)
        if words >= _MIN_ARTICLE_WORDS:
            return False
    return True
