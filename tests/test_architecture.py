"""The layers hold: import-linter's contracts (pyproject.toml, [tool.importlinter]) are kept.

Pure stages (sources, clean, rules, stories, delivery, and the shared model, errors and wording)
import no adapter, no vendor I/O library, no logging and no clock; the packages import each other
only downward along the data path. The second test shows the check can fail: the same contracts
on a copy of bot/ with one forbidden import added are reported broken.

Sizes hold too (house style): every module in bot/ under 400 lines, every function at most 60.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the checkout (or copy) at ``where``, with its own pyproject.toml."""
    tool = shutil.which("lint-imports")
    assert tool, "import-linter is part of the test extra: pip install -e '.[test]'"
    return subprocess.run(
        [tool, "--no-cache"],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_layer_contracts_are_kept() -> None:
    """import-linter reports both contracts of pyproject.toml kept on bot/."""
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("rules/text.py", "import logging", "bot.rules.text -> logging"),
        ("clean/page.py", "import time", "bot.clean.page -> time"),
        ("stories/dedupe.py", "import bot.store", "bot.stories.dedupe -> bot.store"),
        ("sources/feeds.py", "import bot.clean", "bot.sources.feeds -> bot.clean"),
    ],
)
def test_a_forbidden_import_is_reported(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    """One forbidden import added to a copy of bot/ breaks the contract, naming the import."""
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "bot" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout, result.stdout


MAX_MODULE_LINES = 400  # a module must stay under this
MAX_FUNCTION_LINES = 60  # a function (its def to its last line) must not exceed this


def oversized(package: Path) -> list[str]:
    """Every module of ``package`` of 400 lines or more and every function over 60 lines."""
    found = []
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package.parent).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines >= MAX_MODULE_LINES:
            found.append(f"{name}: {lines} lines (under {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text, filename=name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(
                        f"{name}:{node.lineno} {node.name}(): {length} lines"
                        f" (at most {MAX_FUNCTION_LINES})"
                    )
    return found


def test_modules_and_functions_stay_small() -> None:
    """No module in bot/ reaches 400 lines and no function in it exceeds 60 lines."""
    assert oversized(ROOT / "bot") == []


def test_an_oversized_module_and_function_are_named(tmp_path: Path) -> None:
    """A 400-line module and a 61-line function are both reported, by file, line and name."""
    package = tmp_path / "pkg"
    package.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(58))
    (package / "small.py").write_text(f"def fits():\n{body}    return 0\n")
    (package / "big.py").write_text(
        f"async def too_long():\n{body}    x = 1\n    return x\n" + "# filler\n" * 339
    )
    assert oversized(package) == [
        "pkg/big.py: 400 lines (under 400)",
        "pkg/big.py:1 too_long(): 61 lines (at most 60)",
    ]


IMPORT_EVERY_MODULE = """
import importlib, json, os, pkgutil, sys
import bot
before = dict(os.environ)
names = sorted(m.name for m in pkgutil.walk_packages(bot.__path__, "bot."))
for name in names:
    importlib.import_module(name)
after = dict(os.environ)
changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
print(json.dumps({"modules": len(names), "changed": changed}))
"""


def test_importing_bot_changes_no_environment_variable() -> None:
    """Importing every module of bot/ leaves os.environ as it was (PTB_TIMEDELTA included)."""
    env = {k: v for k, v in os.environ.items() if k != "PTB_TIMEDELTA"}
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["modules"] > 50
    assert report["changed"] == []


def test_the_telegram_adapter_opts_in_to_timedelta_periods_when_set_up() -> None:
    """The explicit set-up call adds PTB_TIMEDELTA=true and keeps a value already chosen."""
    from bot.telegram.errors import use_timedelta_periods

    environ: dict[str, str] = {}
    use_timedelta_periods(environ)
    assert environ == {"PTB_TIMEDELTA": "true"}
    chosen = {"PTB_TIMEDELTA": "false"}
    use_timedelta_periods(chosen)
    assert chosen == {"PTB_TIMEDELTA": "false"}
