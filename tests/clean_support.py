"""Helpers shared by the cleaning tests: fixture pages and the shared extraction evaluator."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from tests.conftest import FIXTURES, shared

PAGES = FIXTURES / "pages"
DATA = Path(__file__).resolve().parent / "data"


def page(name: str) -> bytes:
    """The bytes of one fixture page under tests/fixtures/pages/."""
    return (PAGES / name).read_bytes()


def cases(name: str) -> list[Any]:
    """The cases listed in tests/data/<name>.yaml."""
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(yaml.safe_load(fh))


def data(name: str) -> Any:
    """The document in tests/data/<name>."""
    with (DATA / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def extract_eval() -> ModuleType:
    """The shared evaluator ../shared/tools/extract_eval.py, imported by path (skips without it,
    see ``tests.conftest.shared``)."""
    path = shared("tools", "extract_eval.py")
    spec = importlib.util.spec_from_file_location("extract_eval", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("extract_eval", module)
    spec.loader.exec_module(module)
    return module
