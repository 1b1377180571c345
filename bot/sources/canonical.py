"""The canonical form of an article URL, so one story has one identity across fetches.

``page_canonical`` prefers what the page says about itself (``<link rel=canonical>``, then
``og:url``) when it points to the same site; ``canonical_url`` then normalises: lower-case
scheme and host, no fragment, no default port, no tracking parameters, and AMP or mobile
variants mapped to the article (``/amp/`` path segments, ``.amp.html``, ``?amp=1``, ``amp.``,
``m.`` and ``mobile.`` hosts become ``www.``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_")
_TRACKING = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mkt_tok",
        "ref_src",
        "cmpid",
        "ocid",
        "smid",
        "src",
        "ito",
        "_ga",
        "_gl",
        "amp",
        "outputtype",
    }
)
_MOBILE_HOST = re.compile(r"^(m|mobile|amp)\.(?=[^.]+\.[^.]+)")
_AMP_SEGMENT = re.compile(r"/amp(?=/|$)")
_AMP_SUFFIX = re.compile(r"\.amp(\.html?)?$|/amp\.html?$")
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_HEAD_BYTES = 200_000


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop fragment, default port, tracking and AMP/mobile marks."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _MOBILE_HOST.sub("www.", (parts.hostname or "").lower())
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING and not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    path = parts.path or "/"
    path = _AMP_SUFFIX.sub(lambda m: m.group(1) or "", path)
    path = _AMP_SEGMENT.sub("", path) or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def page_canonical(html: str, fetched_url: str) -> str:
    """The page's own canonical URL (rel=canonical, then og:url) when on the same site."""
    head = html[:_HEAD_BYTES]
    for tag in _LINK_TAG.findall(head):
        attrs = _attrs(tag)
        if "canonical" in attrs.get("rel", "").lower().split() and attrs.get("href"):
            candidate = urljoin(fetched_url, attrs["href"])
            if same_site(candidate, fetched_url):
                return canonical_url(candidate)
    for tag in _META_TAG.findall(head):
        attrs = _attrs(tag)
        if attrs.get("property", attrs.get("name", "")).lower() == "og:url" and attrs.get(
            "content"
        ):
            candidate = urljoin(fetched_url, attrs["content"])
            if same_site(candidate, fetched_url):
                return canonical_url(candidate)
    return canonical_url(fetched_url)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def site_of(url: str) -> str:
    """The host without ``www.``, ``m.``, ``mobile.`` or ``amp.``: what "same site" compares."""
    host = host_of(url)
    return re.sub(r"^(www|m|mobile|amp)\.(?=[^.]+\.[^.]+)", "", host)


def same_site(url: str, other: str) -> bool:
    a, b = site_of(url), site_of(other)
    return bool(a) and (a == b or a.endswith("." + b) or b.endswith("." + a))


def _attrs(tag: str) -> dict[str, str]:
    return {
        m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or "").strip()
        for m in _ATTR.finditer(tag)
    }
