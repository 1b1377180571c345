"""What the cleaning benchmarks share: the shared evaluator, imported by path, and its data sets."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SETS = ("article-benchmark", "wcxb-dev-articles")


def extract_eval() -> ModuleType:
    """../shared/tools/extract_eval.py as a module (the metric every number here uses)."""
    if "extract_eval" in sys.modules:
        return sys.modules["extract_eval"]
    path = SHARED / "tools" / "extract_eval.py"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: the benchmarks need the shared tools")
    spec = importlib.util.spec_from_file_location("extract_eval", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["extract_eval"] = module
    spec.loader.exec_module(module)
    return module


def load_set(name: str, limit: int | None = None) -> list[Any]:
    """The pages (``extract_eval.Page``) of one shared data set, the first ``limit`` if given."""
    ee = extract_eval()
    root = SHARED / "data" / name
    if not root.is_dir():
        raise SystemExit(f"{root} is missing: the benchmarks need the shared data sets")
    pages = list(ee.load_pages(root, ee.detect_layout(root)))
    return pages[:limit] if limit else pages
