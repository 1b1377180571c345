"""Adversarial pages: the worst cleaning cost of ``bot.extract()`` on hostile pages up to the cap.

Each page is generated at ``--bytes`` (default 5,000,000, the fetch cap ``max_bytes``) and
cleaned in its own subprocess, which reports its wall and CPU time and peak RSS
(``ru_maxrss``, the interpreter, its imports and the language model included). The goal is
≤ 2 s and ≤ 300 MB for every page.

    python bench/adversarial.py [--bytes N] [--only NAME ...] [--timeout S]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAP = 5_000_000
_SENTENCE = "The council met on Tuesday to discuss the harbour plan and its budget for next year. "


def _fill(head: str, unit: str, tail: str, size: int) -> str:
    return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail


def tiny_paragraphs(size: int) -> str:
    """An <article> of ``<p>x</p>`` repeated to the size."""
    return _fill("<html><body><article>", "<p>x</p>", "</article></body></html>", size)


def short_paragraphs(size: int) -> str:
    """Few-word paragraphs (``<p>Word word word.</p>``) to the size."""
    return _fill(
        "<html><body><main>", "<p>Short news line here.</p>\n", "</main></body></html>", size
    )


def prose_paragraphs(size: int) -> str:
    """Real sentence-long paragraphs to the size: an enormous article."""
    return _fill(
        "<html><body><article>", f"<p>{_SENTENCE * 3}</p>\n", "</article></body></html>", size
    )


def nested_divs(size: int, depth: int = 100_000) -> str:
    """``depth`` nested <div>s around one paragraph of text (a 100,000-deep page at the cap)."""
    depth = min(depth, size // 12)
    return (
        "<html><body>"
        + "<div>" * depth
        + f"<p>{_SENTENCE * 4}</p>"
        + "</div>" * depth
        + "</body></html>"
    )


def huge_text_node(size: int) -> str:
    """One paragraph holding the whole size as a single text node."""
    return _fill("<html><body><article><p>", _SENTENCE, "</p></article></body></html>", size)


def deep_tables(size: int, depth: int = 2000) -> str:
    """Tables nested ``depth`` deep, then rows of cells to the size."""
    depth = min(depth, size // 100)
    head = "<html><body>" + "<table><tr><td>" * depth
    tail = "</td></tr></table>" * depth + "</body></html>"
    return _fill(head, f"<tr><td>{_SENTENCE}</td><td>cell</td></tr>", tail, size)


def many_attributes(size: int) -> str:
    """Elements carrying hundreds of attributes each (ids and classes included)."""
    attrs = " ".join(f'data-a{i}="v{i}"' for i in range(200))
    unit = f'<div class="c x{len(attrs)}" id="i" {attrs}><p>{_SENTENCE}</p></div>\n'
    return _fill("<html><body><article>", unit, "</article></body></html>", size)


def many_links(size: int) -> str:
    """A page that is all links: a menu of the whole size."""
    return _fill(
        "<html><body><nav>",
        '<a href="/s">Section link text here</a> ',
        "</nav></body></html>",
        size,
    )


def wide_siblings(size: int) -> str:
    """Empty sibling <div>s with class names, then one article."""
    return _fill(
        "<html><body>",
        '<div class="cookie-notice x"></div>',
        f"<article><p>{_SENTENCE * 4}</p></article></body></html>",
        size,
    )


def deep_then_tiny(size: int) -> str:
    """100,000 nested <div>s, then ``<p>x</p>`` to the size: both limits at once."""
    head = "<html><body>" + "<div>" * 100_000 + f"<p>{_SENTENCE}</p>"
    return _fill(head, "<p>x</p>", "</div>" * 10 + "</body></html>", size)


def consent_paragraphs(size: int) -> str:
    """Paragraphs that each read like a cookie notice: every text rule runs on every block."""
    unit = (
        "<p>We use cookies and similar technologies to improve your experience; by clicking"
        " accept you agree, see our cookie policy.</p>\n"
    )
    return _fill("<html><body><article>", unit, "</article></body></html>", size)


def tail_headings(size: int) -> str:
    """Headings that open an after-article section ("Comments"), one per short paragraph."""
    unit = f"<h2>Comments</h2><p>{_SENTENCE}</p>\n"
    return _fill("<html><body><article>", unit, "</article></body></html>", size)


def distinct_links(size: int) -> str:
    """An article followed by a list of distinct long links (related stories, by thousands)."""
    head = f"<html><body><article><p>{_SENTENCE * 5}</p>"
    links = "".join(
        f'<li><a href="/s/{i}">Related story number {i} about the harbour plan</a></li>'
        for i in range(size // 80)
    )
    return (head + "<ul>" + links)[: size - 30] + "</ul></article></body></html>"


PAGES: dict[str, Callable[[int], str]] = {
    "tiny-paragraphs": tiny_paragraphs,
    "short-paragraphs": short_paragraphs,
    "prose-paragraphs": prose_paragraphs,
    "nested-divs": nested_divs,
    "huge-text-node": huge_text_node,
    "deep-tables": deep_tables,
    "many-attributes": many_attributes,
    "many-links": many_links,
    "wide-siblings": wide_siblings,
    "deep-then-tiny": deep_then_tiny,
    "consent-paragraphs": consent_paragraphs,
    "tail-headings": tail_headings,
    "distinct-links": distinct_links,
}

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from bot import extract
# Warm up as a running bot is: imports done, language model loaded.
prose = "The council met on Tuesday to talk. " * 20
extract(f"<html><body><article><p>{prose}</p></article></body></html>")
html = open(sys.argv[1], encoding="utf-8").read()
start, cpu = time.perf_counter(), time.process_time()
article = extract(html)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak,
                  "words": len(article.text.split()),
                  "removed": sorted({r.kind for r in article.removed})}))
"""


def measure(html: str, timeout: float) -> dict[str, object]:
    """Clean ``html`` in a fresh interpreter; its time, peak RSS (MB) and output size."""
    with tempfile.NamedTemporaryFile("w", suffix=".html", encoding="utf-8", delete=False) as fh:
        fh.write(html)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, fh.name, str(ROOT)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": float("inf"), "peak_mb": float("nan"), "error": f"over {timeout} s"}
    finally:
        Path(fh.name).unlink()
    if done.returncode != 0:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "error": done.stderr[-300:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes", type=int, default=CAP)
    parser.add_argument("--only", nargs="+", choices=sorted(PAGES))
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    worst_s, worst_cpu, worst_mb = 0.0, 0.0, 0.0
    print(
        f"{'page':18} {'bytes':>9} {'seconds':>8} {'cpu s':>6} {'peak MB':>8} {'words':>7}  removed"
    )
    for name in args.only or PAGES:
        html = PAGES[name](args.bytes)
        row = measure(html, args.timeout)
        seconds, peak = float(row["seconds"]), float(row["peak_mb"])  # type: ignore[arg-type]
        cpu = float(row.get("cpu", "nan"))  # type: ignore[arg-type]
        worst_s, worst_cpu, worst_mb = (
            max(worst_s, seconds),
            max(worst_cpu, cpu),
            max(worst_mb, peak),
        )
        extra = row.get("error") or ",".join(row.get("removed", []))  # type: ignore[arg-type]
        words = row.get("words", "-")
        print(
            f"{name:18} {len(html):9d} {seconds:8.2f} {cpu:6.2f} {peak:8.1f} {words:>7}  {extra}",
            flush=True,
        )
    print(
        f"worst: {worst_s:.2f} s wall, {worst_cpu:.2f} s CPU, {worst_mb:.1f} MB peak RSS"
        " (goal ≤ 2 s, ≤ 300 MB; wall time grows with other processes' load)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
