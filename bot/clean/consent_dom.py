"""Find the containers of consent managers and cookie notices in a parsed page and cut them out.

Three sources of evidence, from most to least specific: the ids and classes that the named
consent-management platforms (OneTrust, Cookiebot, Didomi, …) give their containers; the generic
``#id`` / ``.class`` rules of the EasyList Cookie List (``data/easylist_cookie_generic.txt``);
and cookie/consent words in ids, classes and ARIA labels. A match is only cut when the element
is not the page itself and its text is short or reads like a notice, because a generic rule can
sit on a page wrapper (``<div class="cookie-consent-open">`` around everything).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from typing import cast

from lxml import etree
from lxml.html import HtmlElement

from bot.clean.consent_text import is_consent_notice, normalize_space
from bot.clean.prune import attached, drop

# Named platforms: id/class prefixes of their containers (a prefix match on one token).
PLATFORM_PREFIXES: dict[str, tuple[str, ...]] = {
    "OneTrust": ("onetrust-", "optanon", "ot-sdk-", "ot-pc-", "ot-floating"),
    "Cookiebot": ("cybotcookiebot", "cookiebot"),
    "Didomi": ("didomi-",),
    "Quantcast": ("qc-cmp2", "qc-cmp-"),
    "Usercentrics": ("usercentrics", "uc-banner", "uc-embedding"),
    "Sourcepoint": ("sp_message_container", "sp_message_iframe", "sp_veil", "sp-message"),
    "TrustArc": ("truste-", "truste_", "trustarc", "teconsent"),
    "Borlabs": ("borlabscookie", "borlabs-cookie", "brlbs-cmpnt"),
    "Complianz": ("cmplz-",),
    "CookieYes": ("cky-", "cookie-law-info", "cli-modal", "cli-bar", "cookieyes"),
    "Iubenda": ("iubenda-cs-", "iubenda-iframe"),
    "consentmanager": ("cmpbox", "cmpwrapper", "cmpboxbg"),
    "Osano": ("osano-cm-", "cc-window", "cc-banner", "cc-revoke", "cc-grower"),
    "Termly": ("termly-",),
    "CookieScript": ("cookiescript_", "cookie-script"),
    "Klaro": ("klaro", "cookie-notice-klaro"),
    "Axeptio": ("axeptio_", "axeptio-"),
    "Civic": ("ccc-", "ccc"),
    "Google Funding Choices": ("fc-consent-root", "fc-dialog"),
    "Moove GDPR": ("moove_gdpr", "moove-gdpr"),
    "Cookie Notice": ("cookie-notice", "cn-notice", "cookie_notice"),
    "Real Cookie Banner": ("rcb-", "real-cookie-banner"),
    "Sirdata": ("sd-cmp",),
    "CookieFirst": ("cookiefirst-",),
    "Consent-o-matic generic": ("gdpr-cookie-", "gdpr-consent", "gdpr_cookie", "cookie-consent"),
}
# Exact tokens that are too short to be prefixes ("ccc" would also hit "cccp-news").
_EXACT_ONLY = frozenset({"ccc", "klaro"})

# Generic words inside an id or class token: cookie-banner, gdpr_notice, consent-modal. Not
# "cmp": Adobe Experience Manager names every core component cmp-*.
_WORDISH = re.compile(
    r"(?:^|[-_])(?:cookies?|cookie ?law|consent|gdpr|rgpd|dsgvo|privacy-?banner|cookiebar)"
    r"(?:[-_]|$)|^(?:cookies?|consent|gdpr)(?:banner|notice|bar|popup|modal|wall|box|layer|dialog)",
    re.I,
)
_ARIA = re.compile(
    r"\b(cookies?|consent|gdpr|privacy (choices|preferences|settings)|datenschutz|einwilligung"
    r"|consentement|consentimiento|consenso|toestemming|zgod[ay])\b",
    re.I,
)
# Plain strings: an XPath string that knows its element costs an element proxy each.
_ID_AND_CLASS = etree.XPath("//@id | //@class", smart_strings=False)
# From the attribute to its element: half the time of testing every element.
_LABELLED = "//@aria-label/parent::*[@role]"
_ROLES = frozenset({"dialog", "alertdialog", "region", "banner"})
_NEVER = frozenset({"html", "body", "main", "article", "head"})
# Above this many characters a container is only cut when its own text reads like a notice.
_SHORT = 3000


@cache
def easylist_selectors() -> tuple[frozenset[str], frozenset[str]]:
    """(ids, classes) of the generic EasyList Cookie List rules we ship, lower-cased."""
    text = resources.files("bot.clean").joinpath("data/easylist_cookie_generic.txt")
    ids: set[str] = set()
    classes: set[str] = set()
    for line in text.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            ids.add(line[1:].lower())
        elif line.startswith("."):
            classes.add(line[1:].lower())
    return frozenset(ids), frozenset(classes)


_PLATFORM = re.compile(
    "^(?:"
    + "|".join(
        re.escape(prefix)
        for prefixes in PLATFORM_PREFIXES.values()
        for prefix in prefixes
        if prefix not in _EXACT_ONLY
    )
    + ")|^(?:"
    + "|".join(_EXACT_ONLY)
    + ")$"
)


@lru_cache(maxsize=1 << 16)
def is_consent_token(token: str) -> bool:
    """Whether one lower-cased id or class token names a consent container."""
    ids, classes = easylist_selectors()
    return (
        token in ids or token in classes or bool(_PLATFORM.search(token) or _WORDISH.search(token))
    )


@lru_cache(maxsize=1 << 16)
def is_consent_attribute(value: str) -> bool:
    """Whether an id or class attribute value (one or more tokens) names a consent container."""
    return any(map(is_consent_token, value.lower().split()))


def _candidates(tree: HtmlElement) -> list[HtmlElement]:
    """Elements whose id, class or ARIA label names a consent notice, in document order."""
    # One C-level query for the page's distinct id and class values; only the few that name a
    # consent container are looked up again, as XPath variables, to find their elements.
    attributes = cast(list[str], _ID_AND_CLASS(tree))
    values = sorted(filter(is_consent_attribute, set(attributes)))
    found: dict[HtmlElement, None] = {}
    if values:
        variables = {f"v{i}": value for i, value in enumerate(values)}
        # From the attributes to their elements: a third of the time of testing every element.
        test = " or ".join(f". = ${name}" for name in variables)
        found = dict.fromkeys(tree.xpath(f"(//@id | //@class)[{test}]/parent::*", **variables))
    labelled = False
    for el in tree.xpath(_LABELLED):
        if (
            el.get("role") in _ROLES
            and _ARIA.search(el.get("aria-label") or "")
            and el not in found
        ):
            found[el] = None
            labelled = True
    elements = [el for el in found if el.tag not in _NEVER]
    # The id/class query answers in document order already; only ARIA finds need sorting in.
    if labelled and len(elements) > 1:
        order = {el: i for i, el in enumerate(tree.iter())}
        elements.sort(key=lambda el: order.get(el, 0))
    return elements


def _reads_like_notice(text: str) -> bool:
    head = text[:1500]
    return any(is_consent_notice(part) for part in re.split(r"(?<=[.!?])\s+", head) if part)


def strip_consent_containers(tree: HtmlElement) -> list[str]:
    """Remove consent-notice containers from ``tree`` in place; return their texts."""
    found = _candidates(tree)
    removed: list[str] = []
    for el in found:
        if el.getparent() is None or not attached(el, tree):
            continue
        text = normalize_space(el.text_content())
        if len(text) > _SHORT and not _reads_like_notice(text):
            continue
        drop(el)
        if text:
            removed.append(text)
    return removed
