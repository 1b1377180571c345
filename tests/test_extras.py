"""A command whose optional extra is not installed exits 2 with one line naming the extra.

The missing library is made missing for real: a module of that name on PYTHONPATH, ahead of
site-packages, raises ModuleNotFoundError as Python does for an uninstalled package.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.test_cli_commands import newsbot, write_config


def without(tmp_path: Path, *modules: str) -> dict[str, str]:
    """An environment in which ``modules`` cannot be imported."""
    shadow = tmp_path / "uninstalled"
    shadow.mkdir()
    for name in modules:
        (shadow / f"{name}.py").write_text(
            f'raise ModuleNotFoundError("No module named {name}", name="{name}")\n',
            encoding="utf-8",
        )
    return {"PYTHONPATH": os.pathsep.join([str(shadow), os.environ.get("PYTHONPATH", "")])}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("command", "module", "extra"),
    [(["web"], "starlette", "web"), (["worker"], "procrastinate", "postgres")],
)
def test_a_command_without_its_extra_says_which_to_install(
    tmp_path: Path, command: list[str], module: str, extra: str
) -> None:
    """`newsbot web` without starlette, `newsbot worker` without Procrastinate: one line, exit 2."""
    config = write_config(tmp_path, sources=[])
    result = newsbot(*command, "--config", str(config), env=without(tmp_path, module))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert f"pip install 'newsbot[{extra}]'" in last and module in last, last


def test_run_with_web_listen_but_no_web_extra_stops_in_one_line(tmp_path: Path) -> None:
    """`newsbot run` with web.listen set and the web extra missing exits 2 naming the extra."""
    config = write_config(tmp_path, sources=[], web={"listen": f"127.0.0.1:{free_port()}"})
    result = newsbot("run", "--config", str(config), env=without(tmp_path, "starlette"))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "web.listen needs the 'web' extra" in result.stderr.strip().splitlines()[-1]
