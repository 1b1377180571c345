"""Generate the multilingual cleaning fixtures: layouts × languages × consent platforms.

Writes tests/fixtures/clean_multilingual/<id>.html and tests/data/clean_multilingual.yaml (per
page: language, author, blocked, the sentences that must stay and the snippets that must go,
and its half: ``tune`` or ``heldout``, from a hash of its id). Five layouts per language: a
modern page with a named CMP's real DOM (ids and classes as the platforms ship them), a page
whose notice is plain paragraphs in the article, an XHTML 1.0 table layout, an AMP page with
``amp-consent``, and a page that is only a consent wall (must come out ``blocked``).

    python bench/multilingual_pages.py
"""

from __future__ import annotations

import hashlib
import html
import json
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.multilingual_lang import LANGS
from bench.multilingual_prose_lang import PROSE
from bench.multilingual_sitenote_lang import SITENOTE

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "clean_multilingual"
DATA = ROOT / "tests" / "data" / "clean_multilingual.yaml"
L = dict[str, object]


def _e(value: object) -> str:
    return html.escape(str(value), quote=False)


def _notice(lang: L) -> str:
    return " ".join(map(str, lang["consent"]))  # type: ignore[call-overload]


def _buttons(lang: L, tag: str = "button", attrs: tuple[str, str, str] = ("", "", "")) -> str:
    labels = (lang["accept"], lang["reject"], lang["settings"])
    return "".join(f"<{tag}{a}>{_e(t)}</{tag}>" for a, t in zip(attrs, labels, strict=True))


# Each platform's banner as it sits in the served page (ids and classes as the vendors use).
def _onetrust(lang: L) -> str:
    return (
        '<div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk" class="otFlat"'
        ' role="region" aria-label="Cookie banner"><div id="onetrust-policy">'
        f'<p id="onetrust-policy-text">{_e(_notice(lang))} <a class="ot-cookie-policy-link"'
        f' href="/privacy">{_e(lang["policy"])}</a></p></div><div id="onetrust-button-group">'
        + _buttons(
            lang,
            attrs=(
                ' id="onetrust-accept-btn-handler"',
                ' id="onetrust-reject-all-handler"',
                ' id="onetrust-pc-btn-handler"',
            ),
        )
        + "</div></div></div>"
    )


def _cookiebot(lang: L) -> str:
    return (
        '<div id="CybotCookiebotDialog" name="CybotCookiebotDialog" role="dialog"'
        ' class="CybotEdge"><div id="CybotCookiebotDialogBody"><h2'
        f' id="CybotCookiebotDialogBodyContentTitle">{_e(lang["wall"])}</h2>'
        f'<div id="CybotCookiebotDialogBodyContentText">{_e(_notice(lang))}</div></div>'
        '<div id="CybotCookiebotDialogBodyButtonsWrapper">'
        + _buttons(
            lang,
            attrs=(
                ' id="CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll"',
                ' id="CybotCookiebotDialogBodyButtonDecline"',
                ' id="CybotCookiebotDialogBodyLevelButtonCustomize"',
            ),
        )
        + "</div></div>"
    )


def _didomi(lang: L) -> str:
    return (
        '<div id="didomi-host" data-nosnippet="true"><div class="didomi-popup-container'
        ' didomi-notice-popup"><div class="didomi-popup-notice-text"><p>'
        f"{_e(_notice(lang))}</p><p>{_e(lang['policy'])}</p></div>"
        '<div class="didomi-popup-notice-buttons">'
        + _buttons(
            lang,
            attrs=(
                ' id="didomi-notice-agree-button"',
                ' id="didomi-notice-disagree-button"',
                ' id="didomi-notice-learn-more-button"',
            ),
        )
        + "</div></div></div>"
    )


def _quantcast(lang: L) -> str:
    return (
        '<div id="qc-cmp2-container" data-nosnippet=""><div class="qc-cmp2-main"'
        ' id="qc-cmp2-main"><div id="qc-cmp2-ui" role="dialog" aria-label="qc-cmp2-ui">'
        '<div class="qc-cmp2-summary-section"><div class="qc-cmp2-summary-info">'
        f"<p>{_e(_notice(lang))}</p><p>{_e(lang['policy'])}</p></div></div>"
        '<div class="qc-cmp2-summary-buttons">'
        + _buttons(lang, attrs=(' mode="primary"', ' mode="secondary"', ' mode="link"'))
        + "</div></div></div></div>"
    )


def _usercentrics(lang: L) -> str:
    return (
        '<aside id="usercentrics-cmp-ui" class="uc-embedding-container"><div'
        ' data-testid="uc-default-banner" class="uc-banner-content"><p'
        f' id="uc-privacy-description">{_e(_notice(lang))}</p>'
        + _buttons(
            lang,
            attrs=(
                ' data-testid="uc-accept-all-button"',
                ' data-testid="uc-deny-all-button"',
                ' data-testid="uc-more-button"',
            ),
        )
        + "</div></aside>"
    )


def _sourcepoint(lang: L) -> str:
    return (
        '<div id="sp_message_container_1024351" class="sp-message-open"><div'
        ' class="message-container"><div class="message-component message-row"><p>'
        f"{_e(_notice(lang))}</p><p>{_e(lang['policy'])}</p></div>"
        '<div class="message-component message-row">'
        + _buttons(lang, attrs=(' title="accept"', ' title="reject"', ' title="options"'))
        + "</div></div></div>"
    )


def _trustarc(lang: L) -> str:
    return (
        '<div id="truste-consent-track" class="truste-banner"><div'
        f' id="truste-consent-content"><div id="truste-consent-text">{_e(_notice(lang))}'
        f' <a href="/privacy">{_e(lang["policy"])}</a></div><div id="truste-consent-buttons">'
        + _buttons(
            lang,
            attrs=(
                ' id="truste-consent-button"',
                ' id="truste-consent-required"',
                ' id="truste-show-consent"',
            ),
        )
        + "</div></div></div>"
    )


def _iubenda(lang: L) -> str:
    return (
        '<div id="iubenda-cs-banner" class="iubenda-cs-default iubenda-cs-bottom"'
        ' role="alertdialog"><div class="iubenda-cs-container"><div class="iubenda-cs-content">'
        f'<div id="iubenda-cs-paragraph"><p class="iub-p">{_e(_notice(lang))}</p></div>'
        '<div class="iubenda-cs-opt-group">'
        + _buttons(
            lang,
            attrs=(
                ' class="iubenda-cs-accept-btn"',
                ' class="iubenda-cs-reject-btn"',
                ' class="iubenda-cs-customize-btn"',
            ),
        )
        + "</div></div></div></div>"
    )


def _complianz(lang: L) -> str:
    return (
        '<div class="cmplz-cookiebanner cmplz-show banner-1 optin" role="dialog"'
        ' aria-live="polite"><div class="cmplz-header"><div class="cmplz-title">'
        f'{_e(lang["wall"])}</div></div><div class="cmplz-body"><div class="cmplz-message">'
        f'<p>{_e(_notice(lang))}</p></div></div><div class="cmplz-buttons">'
        + _buttons(
            lang,
            attrs=(
                ' class="cmplz-btn cmplz-accept"',
                ' class="cmplz-btn cmplz-deny"',
                ' class="cmplz-btn cmplz-view-preferences"',
            ),
        )
        + "</div></div>"
    )


def _borlabs(lang: L) -> str:
    return (
        '<div id="BorlabsCookieBox" class="BorlabsCookie" role="dialog"><div class="bottom-center">'
        '<div class="_brlbs-box-wrap"><div class="_brlbs-box"><div class="cookie-box">'
        f'<p class="_brlbs-flex-center">{_e(lang["wall"])}</p><p>{_e(_notice(lang))}</p>'
        '<p class="_brlbs-accept">'
        + _buttons(
            lang,
            "a",
            (
                ' href="#" class="_brlbs-btn _brlbs-btn-accept-all"',
                ' href="#" class="_brlbs-refuse-btn"',
                ' href="#" class="_brlbs-manage"',
            ),
        )
        + "</p></div></div></div></div></div>"
    )


def _cookieyes(lang: L) -> str:
    return (
        '<div class="cky-consent-container cky-banner-bottom" tabindex="0"><div'
        ' class="cky-consent-bar"><div class="cky-notice"><p class="cky-title">'
        f'{_e(lang["wall"])}</p><div class="cky-notice-group"><div class="cky-notice-des">'
        f'<p>{_e(_notice(lang))}</p></div><div class="cky-notice-btn-wrapper">'
        + _buttons(
            lang,
            attrs=(
                ' class="cky-btn cky-btn-accept"',
                ' class="cky-btn cky-btn-reject"',
                ' class="cky-btn cky-btn-customize"',
            ),
        )
        + "</div></div></div></div></div>"
    )


def _generic(lang: L) -> str:
    """A site's own banner: no platform ids, only its text and its three buttons."""
    return (
        '<div class="site-layer bottom-fixed"><div class="layer-inner"><p>'
        f'{_e(_notice(lang))}</p><p><a href="/privacy">{_e(lang["policy"])}</a></p>'
        f'<div class="actions">{_buttons(lang)}</div></div></div>'
    )


CMPS: dict[str, Callable[[L], str]] = {
    "onetrust": _onetrust,
    "cookiebot": _cookiebot,
    "didomi": _didomi,
    "quantcast": _quantcast,
    "usercentrics": _usercentrics,
    "sourcepoint": _sourcepoint,
    "trustarc": _trustarc,
    "iubenda": _iubenda,
    "complianz": _complianz,
    "borlabs": _borlabs,
    "cookieyes": _cookieyes,
    "generic": _generic,
}


def _nav() -> str:
    return (
        '<header class="site-header"><a class="logo" href="/">Harbour</a><nav><ul>'
        + "".join(f'<li><a href="/{s}">{s.title()}</a></li>' for s in ("news", "city", "sport"))
        + "</ul></nav></header>"
    )


def _newsletter(lang: L) -> str:
    return (
        '<div class="signup-box"><p>'
        f'{_e(lang["newsletter"])}</p><form action="/subscribe" method="post">'
        f'<input type="email" name="email" placeholder="{_e(lang["email"])}">'
        f'<button type="submit">{_e(lang["subscribe"])}</button></form></div>'
    )


def _most_read() -> str:
    items = "".join(
        f'<li><a href="/story/{i}">Story {i} headline link text</a></li>' for i in range(5)
    )
    return f'<aside class="sidebar"><h3>Top 5</h3><ol>{items}</ol></aside>'


def _footer(lang: L) -> str:
    return (
        '<footer class="site-footer"><ul><li><a href="/about">About</a></li><li><a'
        ' href="/contact">Contact</a></li></ul>'
        f'<p class="copy">{_e(lang["footer"])}</p></footer>'
    )


def _byline(lang: L) -> str:
    return str(lang["byline"]).format(name=lang["author"])


def _paragraphs(lang: L) -> str:
    return "".join(f"<p>{_e(p)}</p>" for p in lang["paragraphs"])  # type: ignore[attr-defined]


def _head(code: str, lang: L, extra: str = "") -> str:
    return f'<head><meta charset="utf-8"><title>{_e(lang["title"])} | Harbour</title>{extra}</head>'


def modern(code: str, lang: L, cmp: str) -> str:
    """A current news page: CMP banner, byline written in the text, newsletter box, footer."""
    return (
        f'<!DOCTYPE html><html lang="{code}">{_head(code, lang)}<body>{_nav()}'
        f"<main><article><h1>{_e(lang['title'])}</h1><p><strong>{_e(_byline(lang))}</strong>"
        f"</p>{_paragraphs(lang)}{_newsletter(lang)}</article>{_most_read()}</main>"
        f"{_footer(lang)}{CMPS[cmp](lang)}</body></html>"
    )


def plain(code: str, lang: L, cmp: str) -> str:
    """The notice as plain paragraphs at the top of the story, buttons as plain links."""
    notice = "".join(f"<p>{_e(s)}</p>" for s in lang["consent"])  # type: ignore[attr-defined]
    return (
        f'<!DOCTYPE html><html lang="{code}">{_head(code, lang)}<body>{_nav()}'
        f'<div class="content"><div class="story"><h1>{_e(lang["title"])}</h1>{notice}'
        f'<p>{_e(lang["policy"])}</p><p><a href="#">{_e(lang["accept"])}</a> <a href="#">'
        f"{_e(lang['reject'])}</a></p>{_paragraphs(lang)}<p>{_e(_byline(lang))}</p>"
        f"{_newsletter(lang)}</div></div>{_footer(lang)}</body></html>"
    )


def table(code: str, lang: L, cmp: str) -> str:
    """An XHTML 1.0 regional paper laid out in table cells: every column a <td>."""
    notice = (
        f'<table width="100%"><tr><td class="aviso"><font size="1">{_e(_notice(lang))}'
        f' {_e(lang["policy"])}</font><br /><input type="button" value="{_e(lang["accept"])}" />'
        "</td></tr></table>"
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0'
        ' Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="{code}" lang="{code}">'
        f"{_head(code, lang)}<body>{notice}"
        '<table width="980" border="0" cellpadding="0" cellspacing="0"><tr><td colspan="3">'
        '<a href="/"><img src="/logo.gif" alt="Harbour" /></a></td></tr><tr>'
        '<td width="160" valign="top">'
        + "".join(f'<a href="/{s}">{s.title()}</a><br />' for s in ("news", "city", "sport"))
        + f'</td><td width="560" valign="top"><h1>{_e(lang["title"])}</h1>'
        f"<p><b>{_e(_byline(lang))}</b></p>{_paragraphs(lang)}"
        '<p><a href="/share/fb">Facebook</a> | <a href="/share/x">X</a></p></td>'
        f'<td width="260" valign="top"><p>{_e(lang["newsletter"])}</p>'
        f'<form action="/subscribe"><input type="text" name="email" /><input type="submit"'
        f' value="{_e(lang["subscribe"])}" /></form>'
        + "".join(f'<a href="/story/{i}">Story {i} headline link text</a><br />' for i in range(5))
        + f'</td></tr><tr><td colspan="3" align="center"><font size="1">{_e(lang["footer"])}'
        "</font></td></tr></table></body></html>"
    )


def amp(code: str, lang: L, cmp: str) -> str:
    """An AMP page: amp-consent's UI in the markup, the author only in JSON-LD."""
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": lang["title"],
            "author": {"@type": "Person", "name": lang["author"]},
        },
        ensure_ascii=False,
    )
    consent = (
        '<amp-consent id="site-consent" layout="nodisplay"><script type="application/json">'
        '{"consentInstanceId":"site-consent","consentRequired":true,"promptUI":"consent-ui"}'
        f'</script><div id="consent-ui" class="consent-prompt"><p>{_e(_notice(lang))}</p>'
        f'<button on="tap:site-consent.accept">{_e(lang["accept"])}</button>'
        f'<button on="tap:site-consent.reject">{_e(lang["reject"])}</button></div></amp-consent>'
    )
    extra = (
        '<script async src="https://cdn.ampproject.org/v0.js"></script>'
        f'<script type="application/ld+json">{ld}</script>'
    )
    return (
        f'<!doctype html><html amp lang="{code}">{_head(code, lang, extra)}<body>{consent}'
        f'{_nav()}<article><h1>{_e(lang["title"])}</h1><amp-img src="/tram.jpg" width="800"'
        f' height="450" layout="responsive" alt=""></amp-img>{_paragraphs(lang)}</article>'
        f"{_footer(lang)}</body></html>"
    )


def wall(code: str, lang: L, cmp: str) -> str:
    """Only a consent wall: the article is not in the page until the reader consents."""
    return (
        f'<!DOCTYPE html><html lang="{code}">{_head(code, lang)}<body>{_nav()}'
        f"<main><h1>{_e(lang['title'])}</h1></main>{CMPS[cmp](lang)}{_footer(lang)}"
        "</body></html>"
    )


def _variant(code: str) -> int:
    return sorted(LANGS).index(code)


def prose(code: str, lang: L, cmp: str) -> str:
    """The site's own notice in plain paragraphs of the story, in its own words: at the top
    or at the foot, its sentences in one paragraph or one each, then its policy sentence."""
    extra, n = PROSE[code], _variant(code)
    sentences: list[str] = extra["notice"]  # type: ignore[assignment]
    if n % 2:
        notice = "".join(f"<p>{_e(s)}</p>" for s in sentences)
    else:
        notice = f"<p>{_e(' '.join(sentences))}</p>"
    notice += f"<p>{_e(extra['pointer'])}</p>"
    top = n % 4 < 2
    head = f'<meta name="author" content="{_e(lang["author"])}">'
    return (
        f'<!DOCTYPE html><html lang="{code}">{_head(code, lang, head)}<body>{_nav()}'
        f'<div class="content"><div class="story"><h1>{_e(lang["title"])}</h1>'
        f"{notice if top else ''}{_paragraphs(lang)}{'' if top else notice}</div></div>"
        f"{_footer(lang)}</body></html>"
    )


def credit(code: str, lang: L, cmp: str) -> str:
    """A byline whose label and name are separate blocks ("By" above "Jane Doe"), as plain
    paragraphs, bold paragraphs or spans split by a line break; at the top or the foot."""
    label, name, n = _e(PROSE[code]["label"]), _e(lang["author"]), _variant(code)
    credit = (
        f"<p>{label}</p><p>{name}</p>",
        f"<p><strong>{label}</strong></p><p><strong>{name}</strong></p>",
        f"<div><span>{label}</span><br /><span>{name}</span></div>",
    )[n % 3]
    top = n % 4 != 3
    return (
        f'<!DOCTYPE html><html lang="{code}">{_head(code, lang)}<body>{_nav()}'
        f"<main><article><h1>{_e(lang['title'])}</h1>{credit if top else ''}"
        f"{_paragraphs(lang)}{'' if top else credit}</article>{_most_read()}</main>"
        f"{_footer(lang)}</body></html>"
    )


def byname(code: str, lang: L, cmp: str) -> str:
    """A byline whose name is a link (or a bold link) in an element of its own beside its
    label: blocks the extraction may drop as link lines. At the top or the foot."""
    label, name, n = _e(PROSE[code]["label"]), _e(lang["author"]), _variant(code)
    link = f'<a href="/authors/{n + 17}">{name}</a>'
    credit = (
        f"<p>{label}</p><p>{link}</p>",
        f'<div class="meta"><span>{label}</span> {link}</div>',
        f"<p><strong>{label}</strong></p><p><strong>{link}</strong></p>",
        f"<div><span>{label}</span><br />{link}</div>",
    )[n % 4]
    top = n % 4 < 2
    return (
        f'<!DOCTYPE html><html lang="{code}">{_head(code, lang)}<body>{_nav()}'
        f"<main><article><h1>{_e(lang['title'])}</h1>{credit if top else ''}"
        f"{_paragraphs(lang)}{'' if top else credit}</article>{_most_read()}</main>"
        f"{_footer(lang)}</body></html>"
    )


def sitenote(code: str, lang: L, cmp: str) -> str:
    """The site's own notice in plain paragraphs, whose further sentences hold no consent
    word (who sets the files, blocking them in the browser), then its policy sentence: at
    the top or the foot, one paragraph per sentence or the notice in one."""
    extra, n = SITENOTE[code], _variant(code)
    sentences = [str(extra["notice"]), *extra["follow"]]  # type: ignore[misc]
    if n % 3 == 2:
        notice = f"<p>{_e(' '.join(sentences))}</p>"
    else:
        notice = "".join(f"<p>{_e(s)}</p>" for s in sentences)
    notice += f"<p>{_e(extra['pointer'])}</p>"
    top = n % 2 == 0
    head = f'<meta name="author" content="{_e(lang["author"])}">'
    return (
        f'<!DOCTYPE html><html lang="{code}">{_head(code, lang, head)}<body>{_nav()}'
        f'<div class="content"><div class="story"><h1>{_e(lang["title"])}</h1>'
        f"{notice if top else ''}{_paragraphs(lang)}{'' if top else notice}</div></div>"
        f"{_footer(lang)}</body></html>"
    )


# The first five layouts pick each page's CMP by their count: those added later do not
# move them.
FIRST_LAYOUTS = 5
LAYOUTS: dict[str, Callable[[str, L, str], str]] = {
    "modern": modern,
    "plain": plain,
    "table": table,
    "amp": amp,
    "wall": wall,
    "prose": prose,
    "credit": credit,
    "byname": byname,
    "sitenote": sitenote,
}
# Layouts written later, each for the languages its material covers.
LATER_MATERIAL: dict[str, dict[str, dict[str, object]]] = {
    "prose": PROSE,
    "credit": PROSE,
    "byname": PROSE,
    "sitenote": SITENOTE,
}


def split(cases: list[dict[str, object]]) -> None:
    """Mark each case ``tune`` or ``heldout``: within each layout, pages ordered by a hash of
    their id alternate, so the halves are even, mix languages, and never move."""
    for layout in LAYOUTS:
        ids = sorted(
            (str(c["id"]) for c in cases if c["layout"] == layout),
            key=lambda i: hashlib.sha256(i.encode()).hexdigest(),
        )
        halves = {i: ("tune", "heldout")[n % 2] for n, i in enumerate(ids)}
        for case in cases:
            if case["id"] in halves:
                case["half"] = halves[str(case["id"])]


def expectations(page_id: str, code: str, lang: L, layout: str, cmp: str) -> dict[str, object]:
    """What cleaning must give for one page."""
    paragraphs: list[str] = lang["paragraphs"]  # type: ignore[assignment]
    consent: list[str] = lang["consent"]  # type: ignore[assignment]
    if layout in LATER_MATERIAL:
        return _later_expectations(page_id, code, lang, layout)
    drop = [*consent, str(lang["footer"])]
    if layout != "amp":
        drop += [str(lang["policy"])] if layout not in ("wall",) else []
    if layout in ("modern", "plain", "table"):
        drop += [str(lang["newsletter"]), _byline(lang)]
    blocked = layout == "wall"
    return {
        "id": page_id,
        "half": "",
        "language": code,
        "layout": layout,
        "cmp": cmp,
        "blocked": blocked,
        "author": None if blocked else lang["author"],
        "keep": [] if blocked else [paragraphs[0], paragraphs[2], paragraphs[-1]],
        "drop": drop,
    }


def _later_expectations(page_id: str, code: str, lang: L, layout: str) -> dict[str, object]:
    paragraphs: list[str] = lang["paragraphs"]  # type: ignore[assignment]
    if layout == "prose":
        notice: list[str] = PROSE[code]["notice"]  # type: ignore[assignment]
        drop = [*notice, str(PROSE[code]["pointer"])]
    elif layout == "sitenote":
        note = SITENOTE[code]
        drop = [str(note["notice"]), *note["follow"], str(note["pointer"])]  # type: ignore[misc]
    else:
        drop = [str(lang["author"])]
    return {
        "id": page_id,
        "half": "",
        "language": code,
        "layout": layout,
        "cmp": "-",
        "blocked": False,
        "author": lang["author"],
        "keep": [paragraphs[0], paragraphs[2], paragraphs[-1]],
        "drop": [*drop, str(lang["footer"])],
    }


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    cmps = list(CMPS)
    cases = []
    for n, (code, lang) in enumerate(sorted(LANGS.items())):
        for k, layout in enumerate(LAYOUTS):
            if layout in LATER_MATERIAL and code not in LATER_MATERIAL[layout]:
                continue
            cmp = cmps[(n * FIRST_LAYOUTS + k) % len(cmps)] if layout in ("modern", "wall") else "-"
            page_id = f"{code}-{layout}" + (f"-{cmp}" if cmp != "-" else "")
            (OUT / f"{page_id}.html").write_text(LAYOUTS[layout](code, lang, cmp), encoding="utf-8")
            cases.append(expectations(page_id, code, lang, layout, cmp))
    split(cases)
    header = "# Generated by bench/multilingual_pages.py: do not edit by hand.\n"
    DATA.write_text(
        header + yaml.safe_dump(cases, allow_unicode=True, sort_keys=False, width=100),
        encoding="utf-8",
    )
    tune = sum(c["half"] == "tune" for c in cases)
    held = len(cases) - tune
    print(f"{len(cases)} pages in {len(LANGS)} languages: {tune} tune, {held} held out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
