"""The README is executed: its test and install commands are the ones CI runs, and every YAML
example in it loads and validates with the real config loader (as urlwatch runs its docs)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Config, parse_config
from bot.errors import ConfigError
from tests.conftest import ROOT

README = ROOT / "README.md"
CI_RUN = ROOT / ".ci" / "run"
SHIPPED = ROOT / "config" / "newsbot.yaml"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def blocks(text: str, language: str) -> list[tuple[int, str]]:
    """The fenced code blocks of ``language`` in ``text``, with the line each starts on."""
    return [
        (text.count("\n", 0, m.start()) + 2, m.group(2))
        for m in _FENCE.finditer(text)
        if m.group(1) == language
    ]


def readme_command(purpose: str) -> list[str]:
    """The command of the README's first shell block whose comment says ``purpose``."""
    text = README.read_text(encoding="utf-8")
    _, first = blocks(text, "sh")[0]
    line = next(row for row in first.splitlines() if purpose in row.partition("#")[2])
    return shlex.split(line.partition("#")[0].split("&&")[-1])


def readme_install() -> list[str]:
    """The install half of the README's test line: ``pip install -e '.[test]'``."""
    text = README.read_text(encoding="utf-8")
    _, first = blocks(text, "sh")[0]
    line = next(row for row in first.splitlines() if "run the tests" in row)
    return shlex.split(line.split("&&")[0])


def ci_variable(name: str) -> list[str]:
    """A ``NAME="…"`` assignment of .ci/run, split as the shell splits it when expanded."""
    match = re.search(rf'^{name}="([^"]*)"$', CI_RUN.read_text(encoding="utf-8"), re.M)
    assert match, f".ci/run does not set {name}"
    return match.group(1).split()


def ci_code_lines() -> list[str]:
    """The lines of .ci/run that are code, not comments."""
    lines = CI_RUN.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_ci_runs_the_readme_test_command_twice() -> None:
    """.ci/run's test command is the README's, run in a copy with nothing beside it, then in
    place on what that run skipped with every gate required; nothing else in it calls pytest."""
    command = readme_command("run the tests")
    assert command == ["python3", "-m", "pytest", "-q"]
    assert ci_variable("TEST_COMMAND") == command
    code = ci_code_lines()
    assert [line for line in code if "-m pytest" in line] == ['TEST_COMMAND="python3 -m pytest -q"']
    runs = [line for line in code if re.search(r"\brun_tests \"", line)]
    assert len(runs) == 2, runs
    fresh, in_place = runs
    assert fresh.startswith('run_tests "fresh copy'), fresh
    assert any(line.startswith('(cd "$copy" && unset NEWSBOT_REQUIRE_SHARED') for line in code)
    assert in_place.startswith("NEWSBOT_REQUIRE_SHARED=1 run_tests"), in_place
    assert in_place.endswith('"${again[@]}"'), "the second pass runs what the first skipped"
    assert '$TEST_COMMAND "$@" || code=$?' in code
    development = README.read_text(encoding="utf-8").split("## Development", 1)[1]
    assert f"`{shlex.join(command)}` runs everything CI runs" in development


def test_ci_installs_what_the_readme_installs() -> None:
    """.ci/run installs the package with its test extra, as the README's command does."""
    readme = readme_install()
    assert readme[:3] == ["pip", "install", "-e"] and readme[3] == ".[test]"
    ci = ci_variable("INSTALL_COMMAND")
    assert ci[:3] == ["python3", "-m", "pip"] and "install" in ci
    assert ci[-2:] == ["-e", ".[test]"]
    assert "$INSTALL_COMMAND" in ci_code_lines()


def test_ci_copy_has_nothing_beside_it() -> None:
    """The fresh-copy run happens in a new temporary folder, so no ../shared is beside it, and
    CI says loudly when its own ../shared is missing (then the full gates cannot run)."""
    code = ci_code_lines()
    assert "scratch=$(mktemp -d)" in code and "copy=$scratch/newsbot" in code
    assert "if [ ! -d ../shared/data ]; then" in code
    assert 'if [ "$full_gates" = yes ]; then' in code


def merged_example(block: str) -> dict[str, Any]:
    """A README YAML example as a whole config: the shipped config's aliases beneath it (an
    example may use ``@zelensky`` without defining it), the example's own sections on top."""
    example = yaml.safe_load(block)
    assert isinstance(example, dict), "a config example is a mapping of sections"
    shipped = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    merged = dict(example)
    merged["aliases"] = {**shipped["aliases"], **(example.get("aliases") or {})}
    return merged


def load_example(line: int, block: str) -> Config:
    """Load one README example with the real loader, and run its topics' tests."""
    where = f"README.md:{line}"
    config = parse_config(yaml.safe_dump(merged_example(block), allow_unicode=True), file=where,
                          env={})  # fmt: skip
    failures = config.topic_test_failures()
    if failures:
        raise failures[0]
    return config


YAML_EXAMPLES = blocks(README.read_text(encoding="utf-8"), "yaml")
EXAMPLE_IDS = [f"README.md:{line}" for line, _ in YAML_EXAMPLES]


def test_readme_has_yaml_examples() -> None:
    """The configuration, topic rules and sources sections each show a YAML example."""
    assert len(YAML_EXAMPLES) >= 3


@pytest.mark.parametrize(("line", "block"), YAML_EXAMPLES, ids=EXAMPLE_IDS)
def test_readme_yaml_example_loads_and_validates(line: int, block: str) -> None:
    """Every YAML example in the README passes the config loader and its topics' tests; every
    key it shows survives validation (sources and topics it defines are in the config)."""
    config = load_example(line, block)
    example = yaml.safe_load(block)
    assert [s.id for s in config.sources] == [s["id"] for s in example.get("sources") or []]
    assert [t.id for t in config.rules.topics] == [t["id"] for t in example.get("topics") or []]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("kind: feed", "kind: atom"), "kind"),
        (("interval: 10m", "interval: ten minutes"), "interval"),
        (('"@trump"', '"@trumpp"'), "trumpp"),
        (("no_match: [\"Trump card\"]", "no_match: [\"Zelenski pide una cumbre con Trump\"]"),
         "should not match"),
    ],
)  # fmt: skip
def test_a_broken_readme_example_fails(change: tuple[str, str], message: str) -> None:
    """The check is real: the first example with a wrong kind, interval, alias or test fails."""
    line, block = YAML_EXAMPLES[0]
    old, new = change
    assert old in block
    with pytest.raises(ConfigError) as caught:
        load_example(line, block.replace(old, new, 1))
    assert message in str(caught.value)


def test_commands_table_lists_every_cli_command() -> None:
    """Each `newsbot` subcommand and run option the CLI has appears in the README's table."""
    from bot.runtime.cli import COMMAND_HELP

    table = README.read_text(encoding="utf-8").split("## Commands", 1)[1].split("\n## ", 1)[0]
    for name in COMMAND_HELP:
        assert f"`newsbot {name}" in table, name
    for option in ("--once", "--source ID", "--dry-run", "--version", "--config PATH", "-v"):
        assert option in table, option


def clone_without_shared(tmp_path: Path) -> Path:
    """This checkout's files, without git data or caches, in a folder with no ../shared beside
    it (the checkout itself may be such a copy, as in .ci/run's first run)."""
    copy = tmp_path / "newsbot"
    caches = (".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "*.egg-info")
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*caches, ".venv"))
    assert not (tmp_path / "shared").exists()
    return copy


@pytest.mark.slow
def test_a_gate_skips_in_a_fresh_clone_and_fails_when_ci_requires_it(tmp_path: Path) -> None:
    """Without ../shared a full data-set gate is skipped naming the missing folder; with
    NEWSBOT_REQUIRE_SHARED=1 (CI) the same gate fails instead of skipping."""
    copy = clone_without_shared(tmp_path)
    gate = ["tests/test_rules_text.py", "-k", "real_article", "-p", "no:cacheprovider"]
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSBOT_REQUIRE_SHARED", "PYTHONPATH")}
    fresh = subprocess.run([sys.executable, "-m", "pytest", "-q", *gate], cwd=copy, env=env,
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert fresh.returncode == 0, fresh.stdout
    assert "1 skipped" in fresh.stdout
    assert f"{tmp_path / 'shared' / 'data'}" in fresh.stdout and "is missing" in fresh.stdout
    required = subprocess.run([sys.executable, "-m", "pytest", "-q", *gate], cwd=copy,
                              env={**env, "NEWSBOT_REQUIRE_SHARED": "1"},
                              capture_output=True, text=True, timeout=300)  # fmt: skip
    assert required.returncode == 1, required.stdout
    assert "1 failed" in required.stdout and "NEWSBOT_REQUIRE_SHARED is set" in required.stdout
