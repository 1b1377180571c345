"""Derive bot/clean/data/easylist_cookie_generic.txt from the EasyList Cookie List.

Keeps the generic element-hiding rules that are a plain ``#id`` or ``.class`` (they apply on any
site and can be matched with a set lookup), drops the ids and classes that some site-specific
exception (``#@#``) un-hides, and keeps the list's licence header, as CC BY 3.0 asks.

    python bench/clean_easylist.py [../shared/data/cookie-lists/easylist-cookie.txt]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "cookie-lists" / "easylist-cookie.txt"
TARGET = ROOT / "bot" / "clean" / "data" / "easylist_cookie_generic.txt"
PLAIN = re.compile(r"^##([#.])([A-Za-z0-9_-]+)$")
EXCEPTION = re.compile(r"#@#([#.])([A-Za-z0-9_-]+)$")


def derive(lines: list[str]) -> tuple[list[str], list[str]]:
    """(header comment lines, sorted '#id' / '.class' selectors) of the generic plain rules."""
    header = [line for line in lines[:12] if line.startswith("!") and line.strip() != "!"]
    excepted = {m.group(1) + m.group(2) for line in lines if (m := EXCEPTION.search(line))}
    selectors = {m.group(1) + m.group(2) for line in lines if (m := PLAIN.match(line))}
    return header, sorted(selectors - excepted)


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else SOURCE
    lines = source.read_text(encoding="utf-8").splitlines()
    header, selectors = derive(lines)
    out = [
        "! Derived from the EasyList Cookie List by bench/clean_easylist.py: generic rules that",
        "! are a plain #id or .class, minus those un-hidden by an exception rule.",
        '! Credit: "EasyList Cookie List, the EasyList authors, https://easylist.to/"',
        *header,
        *selectors,
    ]
    TARGET.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(selectors)} selectors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
