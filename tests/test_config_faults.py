"""Hostile and broken config files: alias bombs, recursion, deep nesting, wrong encodings, files
that are not files. Each is a located error in bounded time and memory, and a running bot that
reloads one (file watch, SIGHUP, /reload) keeps its rules and keeps running."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import yaml

from bot.config import load_config, parse_config
from bot.config.load import MAX_CONFIG_BYTES
from bot.config.located_yaml import MAX_DEPTH
from bot.errors import ConfigError
from bot.runtime.runner import Runtime
from tests.conftest import ROOT

GOOD = (ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8")


def laughs(levels: int) -> str:
    """The YAML billion laughs: each level a list of nine aliases of the one above."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def merge_bomb(levels: int) -> str:
    """Merge keys that double a mapping's entries per level."""
    lines = ["m0: &m0 {k: 1}"]
    for n in range(1, levels):
        lines.append(f"m{n}: &m{n} {{<<: [*m{n - 1}, *m{n - 1}], k{n}: 1}}")
    return "\n".join(lines) + "\n"


def nested_condition(depth: int) -> str:
    return (
        "topics:\n  - id: t\n    name: T\n    match: " + "{not: " * depth + "x" + "}" * depth + "\n"
    )


HOSTILE: dict[str, tuple[str, int, str]] = {
    # name: (text, line, what the message says)
    "billion-laughs": (laughs(9), 1, "alias bomb"),
    "merge-key-bomb": (merge_bomb(40), 4, "alias bomb"),  # where the budget ran out
    "recursive-alias": ("aliases:\n  x: &x [*x]\n", 2, "contains itself"),
    "400-level-condition": (nested_condition(400), 4, f"nested deeper than {MAX_DEPTH} levels"),
    "100k-level-flow-list": ("x: " + "[" * 100_000 + "]" * 100_000 + "\n", 1, "nested deeper"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_yaml_is_a_located_error_in_bounded_time_and_memory(name: str) -> None:
    """An alias bomb, a recursive alias or 400-level nesting ends as a located ConfigError
    within 5 s and 50 MB, never RecursionError or a memory blow-up."""
    text, line, says = HOSTILE[name]
    parse_config("sources: []\n", file="warm.yaml", env={})  # imports measured apart
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        parse_config(text, file="hostile.yaml", env={})
    assert time.monotonic() - started < 5.0
    tracemalloc.start()  # memory in a second pass: tracing slows Python several times
    try:
        with pytest.raises(ConfigError):
            parse_config(text, file="hostile.yaml", env={})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000, peak
    assert str(caught.value).startswith(f"hostile.yaml:{line}:"), str(caught.value)
    assert caught.value.path, "the error names a key path"
    assert says in caught.value.message


def test_nesting_a_real_config_needs_is_accepted() -> None:
    """A topic condition nested 29 levels deep (58 YAML levels) still loads and matches."""
    deep = "{all: [" * 29 + "zelensky" + "]}" * 29
    config = parse_config(
        f"topics:\n  - id: t\n    name: T\n    match: {deep}\n    tests: {{match: [zelensky]}}\n",
        file="deep.yaml",
        env={},
    )
    assert not config.rules.check_examples()


def broken_files(tmp_path: Path) -> dict[str, Callable[[Path], str]]:
    """Ways to break the config file on disk; each returns what the error must say."""

    def write(text: str | bytes, says: str) -> Callable[[Path], str]:
        def do(path: Path) -> str:
            data = text.encode("utf-8") if isinstance(text, str) else text
            path.write_bytes(data)
            return says

        return do

    def deleted(path: Path) -> str:
        path.unlink()
        return "config file not found"

    def directory(path: Path) -> str:
        path.unlink()
        path.mkdir()
        return "not a regular file"

    return {
        "alias-bomb": write(laughs(9), "alias bomb"),
        "nested": write(nested_condition(400), "nested deeper"),
        "latin-1": write("sources: []\n# café\n".encode("latin-1"), "2: not UTF-8: byte 0xe9"),
        "huge": write(b"#" * (MAX_CONFIG_BYTES + 1), "larger than"),
        "duplicate-key": write("fetch:\n  timeout: 5s\n  timeout: 9s\n", "duplicate key"),
        "zero-timeout": write("fetch:\n  timeout: 0\n", "fetch.timeout: must be more than 0s"),
        "deleted": deleted,
        "directory": directory,
    }


CASE_NAMES = [
    "alias-bomb",
    "nested",
    "latin-1",
    "huge",
    "duplicate-key",
    "zero-timeout",
    "deleted",
    "directory",
]


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    path = tmp_path / "newsbot.yaml"
    path.write_text(GOOD, encoding="utf-8")
    env = {"NEWSBOT_DATABASE_URL": f"sqlite:///{tmp_path}/n.db"}
    runtime = Runtime(load_config(path, env=env), config_path=path)
    await runtime.open()
    try:
        yield runtime
    finally:
        await runtime.close()


@pytest.mark.parametrize("case", CASE_NAMES)
async def test_reload_of_a_broken_file_keeps_the_running_rules(
    runtime: Runtime, tmp_path: Path, case: str
) -> None:
    """/reload and the file watch refuse a broken file with the located reason, keep the old
    rules, and a fixed file is taken afterwards."""
    cases = broken_files(tmp_path)
    path = tmp_path / "newsbot.yaml"
    before = runtime.config
    says = cases[case](path)
    started = time.monotonic()
    message = await runtime.reload()
    assert time.monotonic() - started < 5.0
    assert message.startswith("config reload failed, keeping the previous rules: "), message
    assert says in message and str(path) in message
    assert runtime.config is before
    await runtime.reload_if_changed()  # the watch sees no new change: nothing happens
    assert runtime.config is before
    if path.is_dir():
        path.rmdir()
    path.write_text(GOOD.replace("sources: []", "sources: []\n# edited"), encoding="utf-8")
    await runtime.reload_if_changed()
    assert runtime.config is not before


def test_running_bot_survives_a_hostile_reload(tmp_path: Path) -> None:
    """`newsbot run` given an alias bomb by the file watch and by SIGHUP logs the located error,
    keeps running, and stops cleanly."""
    path = tmp_path / "newsbot.yaml"
    config = yaml.safe_load(GOOD)
    config["sources"] = []
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = dict(os.environ, NEWSBOT_DATABASE_URL=f"sqlite:///{tmp_path}/n.db")
    env.pop("TELEGRAM_BOT_TOKEN", None)
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(path), "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert bot.stderr is not None
    reader = threading.Thread(target=lambda: [lines.put(x) for x in bot.stderr or ()], daemon=True)
    reader.start()

    def wait_for(fragment: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                break
            if fragment in line:
                return line
        raise AssertionError(f"no {fragment!r} in the bot's log within {timeout}s")

    try:
        wait_for("newsbot running")
        path.write_text(laughs(9), encoding="utf-8")  # the file watch picks this up
        assert f"{path}:1:" in wait_for("config reload failed")
        bot.send_signal(signal.SIGHUP)
        assert "alias bomb" in wait_for("config reload failed")
        assert bot.poll() is None, "the bot is still running"
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=30)
        reader.join(timeout=10)
        bot.stderr.close()
    assert bot.returncode == 0
