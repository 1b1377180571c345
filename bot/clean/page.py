"""Clean one HTML page into an ``Article``: parse once, cut notices and furniture, extract."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from trafilatura import utils as trafilatura_utils

from bot.clean.boilerplate import strip_boilerplate_containers
from bot.clean.bounds import RERUN_TAGS, bound_tags, bound_tree, flatten_depth
from bot.clean.classify import label
from bot.clean.consent_dom import strip_consent_containers
from bot.clean.consent_text import normalize_space
from bot.clean.decode import decode_html
from bot.clean.extraction import ExtractOptions, extract_blocks
from bot.clean.language import detect_language
from bot.clean.metadata import PageMeta, read_page_meta
from bot.clean.prune import strip_inert
from bot.clean.structure import strip_signup_forms, unwrap_layout_tables
from bot.model import Article, Removed

_REMOVED_CHARS = 1000
DEFAULT_OPTIONS = ExtractOptions()
# Some templates print </body></html> before the article (a header include that closes the
# document); libxml2 may then drop everything after it. With this much markup left after the
# first end tag, the end tags are dropped and the parser closes the document at its real end.
_DOCUMENT_END = re.compile(r"</(?:body|html)\s*>", re.I)
_TRAILING_CHARS = 2000
# What libxml2 reports when it stops at 256 nested elements (and drops the rest of the page).
_DEPTH_LIMIT_TYPES = (etree.ErrorTypes.ERR_RESOURCE_LIMIT,)


def _parser() -> lxml.html.HTMLParser:
    """trafilatura's parser settings, with every element an ``HtmlElement`` chosen in C.

    lxml.html's own class lookup is a Python method called each time an element of the tree
    gets a Python proxy: about 3,500 times per page, every trafilatura pass included (13% of
    cleaning's time in a profile). Its special classes (form fields) are read by no one here.
    """
    parser = lxml.html.HTMLParser(  # type: ignore[call-arg]  # the stubs lack default_doctype
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


_PARSER = _parser()


def clean_page(
    html: str | bytes, url: str | None = None, options: ExtractOptions = DEFAULT_OPTIONS
) -> Article:
    """The article on ``html``: body text without notices, furniture, headline or byline."""
    removed: list[Removed] = []
    tree, tags = _parse(decode_html(html), removed)
    if tree is None:
        return Article(
            url=url,
            title="",
            author=None,
            published=None,
            language=None,
            text="",
            removed=tuple(removed),
        )
    meta = read_page_meta(tree)
    if options.cut_consent:
        removed += [Removed("consent", t) for t in strip_consent_containers(tree)]
    if options.cut_furniture:
        removed += [Removed("boilerplate", t) for t in strip_boilerplate_containers(tree)]
    removed += [Removed("newsletter", t) for t in strip_signup_forms(tree)]
    unwrap_layout_tables(tree)
    strip_inert(tree)
    blocks = extract_blocks(tree, url, options, rerun=tags <= RERUN_TAGS)
    return _label(blocks, meta, url, removed)


def _parse(html: str, removed: list[Removed]) -> tuple[HtmlElement | None, int]:
    """The parsed page (bounded in tags, depth and text, see ``bounds``) and its tag count."""
    if not html.strip():
        return None, 0
    first_end = _DOCUMENT_END.search(html)
    if first_end is not None and len(html) - first_end.end() > _TRAILING_CHARS:
        html = _DOCUMENT_END.sub("", html)
    bounded = bound_tags(html)
    tree = _load(bounded.html)
    walk = (
        bound_tree(tree, len(bounded.html), bounded.tags, flattened=False)
        if tree is not None
        else None
    )
    if _too_deep() or (walk is not None and walk.deep):
        flat, reason = flatten_depth(html)
        removed.append(Removed("limit", reason))
        bounded = bound_tags(flat)
        tree = _load(bounded.html)
        if _too_deep():
            removed.append(Removed("limit", "markup still too deep: the text past it was lost"))
        walk = (
            bound_tree(tree, len(bounded.html), bounded.tags, flattened=True)
            if tree is not None
            else None
        )
    if bounded.limit:
        removed.append(Removed("limit", bounded.limit))
    if walk is not None and walk.limit:
        removed.append(Removed("limit", walk.limit))
    return tree, bounded.tags


def _too_deep() -> bool:
    """Whether libxml2 stopped the last parse at its nesting limit (dropping what followed)."""
    return bool(_PARSER.error_log.filter_types(_DEPTH_LIMIT_TYPES))


def _load(html: str) -> HtmlElement | None:
    """The page parsed as trafilatura's ``load_html`` parses a string, with ``_PARSER``."""
    beginning = html[:50].lower()
    html = trafilatura_utils.repair_faulty_html(html, beginning)
    tree: HtmlElement | None = None
    as_bytes = False
    try:
        tree = lxml.html.fromstring(html, parser=_PARSER)
    except ValueError:  # a string with an encoding declaration: parse its bytes
        as_bytes = True
        tree = _from_bytes(html)
    except etree.LxmlError:
        tree = None
    if (tree is None or len(tree) < 1) and not as_bytes:
        tree = _from_bytes(html)
    # Not HTML at all (no html tag or doctype at the start, one block): as load_html.
    if tree is not None and trafilatura_utils.is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree if isinstance(tree, HtmlElement) else None


def _from_bytes(html: str) -> HtmlElement | None:
    try:
        return lxml.html.fromstring(html.encode("utf8", "surrogatepass"), parser=_PARSER)
    except (ValueError, etree.LxmlError):
        return None


def _label(blocks: list[str], meta: PageMeta, url: str | None, removed: list[Removed]) -> Article:
    """The Article from the extracted ``blocks``, labelled by ``classify``'s passes."""
    titles = frozenset(normalize_space(t).lower() for t in (meta.title, meta.headline) if t)
    dom_consent = sum(1 for r in removed if r.kind == "consent")
    labels = label(blocks, titles, meta.author, dom_consent)
    removed += [v for v in labels.verdicts if v is not None]
    text = "\n\n".join(b for b, v in zip(blocks, labels.verdicts, strict=True) if v is None)
    return Article(
        url=url,
        title=meta.title,
        author=labels.author or meta.author,
        published=meta.published,
        language=detect_language(text, meta.declared_language),
        text=text,
        blocked=labels.blocked,
        removed=tuple(Removed(r.kind, r.text[:_REMOVED_CHARS]) for r in removed),
    )
