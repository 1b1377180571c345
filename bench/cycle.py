"""Benchmark: one monitoring cycle, newsbot against a 100-line script and urlwatch, in one run.

Runs the shared cycle harness (``../shared/tools/peers/bench_cycle.py``, see its README): N
real news pages of both shared data sets on a local server, three keyword topics, each system a
process timed from start to exit, cold (empty state) and warm (every page answers 304), medians
of ``--repeat`` rounds, ratios against the script in the same run. The systems:

- ``baseline``: ``baseline_script.py`` beside the harness, 94 lines: httpx.AsyncClient (10 at a
  time) + ``trafilatura.extract`` + one regex per topic word, ETag/Last-Modified kept;
- ``urlwatch`` 2.29 (html2text + grep), when the peers' venv has it;
- ``newsbot``: ``python -m bot run --once`` of this checkout, one ``page`` source per URL, host
  limits pinned to the others' 10 at a time (every page is on one host).

Three things are added to the harness: the peak RSS printed is that of the whole process tree
(the harness reads only the top process's; newsbot's page workers are child processes), summed
over its processes, sampled every 20 ms and never below the top process's own peak: the table
calls it ``treeRSS``; beside it, ``PSS MB``, the peak PSS of that tree (each shared page split
between the processes that map it: the summed RSS counts the libraries and the copy-on-write
heap a forked worker shares with the bot once per process); and newsbot's time from start to
its first request (``bench/startup.py``, median of 3).

    PEERS_VENV=/tmp/peers-venv python bench/cycle.py --n 1000 --repeat 3

(``PEERS_VENV``: a venv with ``../shared/tools/peers/requirements.txt``; without urlwatch in it,
pass ``--systems baseline,newsbot``.) ``--python PATH`` (or ``NEWSBOT_PYTHON``) is the
interpreter that runs newsbot, by default this one: give it a venv holding only newsbot's
dependencies, as the peers have theirs, so that packages a development environment adds (trio,
which httpcore imports when present and which runs ``ldconfig`` as it loads; httpx's optional
CLI with rich) are not counted against it. ``--checkout PATH`` measures another tree. Other
options go to the harness (``--json FILE``, ``--keep``, ``--timeout S``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT.parent / "shared" / "tools" / "peers" / "bench_cycle.py"
# The harness calls `CMD run --once --config FILE`; newsbot takes --config before the command.
# Guarded like a console script: spawned page workers import the main module again.
SHIM = """import os, resource, sys
from bot.runtime.cli import main
if __name__ == "__main__":
    args = sys.argv[1:]
    if "--config" in args:
        at = args.index("--config")
        args = args[at : at + 2] + args[:at] + args[at + 2 :]
    code = main(args)
    if os.environ.get("NEWSBOT_BENCH_CPU_LOG"):  # CPU of the bot's process and of its workers
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(os.environ["NEWSBOT_BENCH_CPU_LOG"], "w") as f:
            f.write(f"{me.ru_utime + me.ru_stime} {kids.ru_utime + kids.ru_stime}")
    sys.exit(code)
"""
PINS = "fetch:\n  host_concurrency: 10\n  host_delay: 0s\n  concurrency: 10\n"


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _children() -> dict[int, int]:
    """pid → parent pid of every process."""
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    return parents


def _memory_kb(pid: int) -> tuple[int, int]:
    """RSS and PSS of a process (PSS splits each shared page between the processes mapping it)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            found = {
                k: int(v.split()[0])
                for k, v in (line.split(":", 1) for line in f)
                if k in ("Rss", "Pss")
            }
        return found.get("Rss", 0), found.get("Pss", 0)
    except (OSError, ValueError):
        return 0, 0


def tree_memory_kb(exclude: set[int]) -> tuple[int, int]:
    """Summed RSS and PSS of this process's descendants, less the excluded subtrees (the page
    server)."""
    parents = _children()
    me, rss, pss = os.getpid(), 0, 0
    for pid in parents:
        node, chain = pid, []
        while node in parents and node != me and node not in exclude and node > 1:
            chain.append(node)
            node = parents[node]
        if node == me and chain:
            one_rss, one_pss = _memory_kb(pid)
            rss, pss = rss + one_rss, pss + one_pss
    return rss, pss


# (system, phase) -> peak tree PSS in MB of each round, a column of the harness's table
PSS: dict[tuple[str, str], list[float]] = {}
# phase -> (CPU s of newsbot's own process, CPU s of its page workers) of each round
SPLIT: dict[str, list[tuple[float, float]]] = {}


def _system(cmd: list[str]) -> str:
    joined = " ".join(cmd)
    return (
        "baseline"
        if "baseline_script" in joined
        else "urlwatch"
        if "urlwatch" in joined
        else "newsbot"
    )


def measure_tree_rss(harness: ModuleType) -> None:
    """Make the harness report the peak RSS of the measured process tree (and keep its PSS)."""
    measured = harness.run_measured

    def run_measured(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float, log: Path):  # type: ignore[no-untyped-def]
        before = set(_children())
        peak, done = [0, 0], threading.Event()
        system, phase = _system(cmd), Path(log).stem
        timed = not Path(log).parent.name.endswith("-warmup")
        split = Path(log).with_suffix(".cpu")
        env = {**env, "NEWSBOT_BENCH_CPU_LOG": str(split)}

        def sample() -> None:
            while not done.wait(0.02):
                rss, pss = tree_memory_kb(before)
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            result: dict[str, Any] = measured(cmd, cwd, env, timeout, log)
        finally:
            done.set()
            sampler.join()
        result["rss_top_mb"] = result["rss_mb"]
        result["rss_mb"] = max(result["rss_mb"], peak[0] / 1024)
        result["pss_mb"] = peak[1] / 1024
        if timed:
            PSS.setdefault((system, phase), []).append(peak[1] / 1024)
            if system == "newsbot" and split.exists():
                own, workers = map(float, split.read_text().split())
                SPLIT.setdefault(phase, []).append((own, workers))
        return result

    harness.run_measured = run_measured


RSS_HEAD = "RSS MB"  # the harness's column, right-aligned in 7 characters
LEGEND = (
    "treeRSS: peak of the RSS summed over the measured process and all its descendants (pages"
    " shared between processes, such as a forked worker's copy-on-write heap, are counted once"
    " per process); PSS: the same tree's peak proportional set size (each shared page split"
    " between the processes that map it); the ratios' RSS is treeRSS."
)


class LabelledTable(io.TextIOBase):
    """Stdout while the harness prints its report: its RSS column is renamed ``treeRSS``, a
    ``PSS MB`` column follows it, and a legend follows the table."""

    def __init__(self, out: TextIO, pss: dict[tuple[str, str], float]) -> None:
        self.out, self.pss, self.pending, self.at = out, pss, "", -1

    def write(self, text: str) -> int:
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        for line in lines:
            self.out.write(self.label(line) + "\n")
        return len(text)

    def label(self, line: str) -> str:
        if self.at < 0 and RSS_HEAD in line and line.startswith("system"):
            self.at = line.index(RSS_HEAD) + len(RSS_HEAD)
            return line[: self.at - 7] + f"{'treeRSS':>7} {'PSS MB':>7}" + line[self.at :]
        if self.at < 0:
            return line
        if not line.strip():
            self.at = -(2**31)  # the table is over: the legend, then lines as they are
            return LEGEND + "\n"
        if line.startswith("-"):
            return line + "-" * 8
        key = tuple(line.split()[:2])
        pss = self.pss.get((key[0], key[1])) if len(key) == 2 else None
        cell = f" {pss:7.1f}" if pss is not None else f" {'-':>7}"
        return line[: self.at] + cell + line[self.at :]

    def flush(self) -> None:
        if self.pending:
            self.out.write(self.label(self.pending))
            self.pending = ""
        self.out.flush()


def label_rss(harness: ModuleType) -> None:
    """Make the harness's report say which RSS it prints, with the PSS beside it."""
    report = harness.print_report

    def print_report(*args: Any) -> None:
        pss = {key: statistics.median(values) for key, values in PSS.items()}
        table = LabelledTable(sys.stdout, pss)
        with contextlib.redirect_stdout(table):
            report(*args)
        table.flush()

    harness.print_report = print_report


def print_split() -> None:
    """newsbot's CPU in its own process and in its page workers: on two idle cores the wall
    time cannot fall much below the larger share (the bot's process holds the GIL to run
    Python, so it runs on about one core at a time)."""
    for phase, rounds in sorted(SPLIT.items()):
        own = statistics.median(r[0] for r in rounds)
        workers = statistics.median(r[1] for r in rounds)
        bound = max(own, workers) / max(own + workers, 1e-9)
        print(
            f"newsbot {phase}: CPU {own:.2f} s in the bot's process, {workers:.2f} s in page"
            f" workers (median of rounds): on 2 idle cores wall >= about {bound:.2f}x its CPU"
        )


def startup_ms(checkout: Path, python: str, rounds: int = 3) -> float:
    startup = load(ROOT / "bench" / "startup.py", "newsbot_bench_startup")
    with tempfile.TemporaryDirectory() as tmp:
        url = "http://127.0.0.1:{port}/a"
        times = [
            startup.one_round(url, Path(tmp), False, root=checkout, python=python)[0]
            for _ in range(rounds)
        ]
    return statistics.median(times) * 1000


def main() -> int:
    args = sys.argv[1:]
    checkout = ROOT
    if "--checkout" in args:  # another newsbot checkout to measure (e.g. a before/after pair)
        at = args.index("--checkout")
        checkout = Path(args[at + 1]).resolve()
        del args[at : at + 2]
    python = os.environ.get("NEWSBOT_PYTHON") or sys.executable
    if "--python" in args:  # the interpreter that runs newsbot (a venv with only its dependencies)
        at = args.index("--python")
        python = args[at + 1]
        del args[at : at + 2]
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(checkout), os.environ.get("PYTHONPATH", "")) if p
    )
    harness = load(HARNESS, "peers_bench_cycle")
    measure_tree_rss(harness)
    label_rss(harness)
    with tempfile.TemporaryDirectory() as tmp:
        pins = Path(tmp) / "pins.yaml"
        pins.write_text(PINS, encoding="utf-8")
        if "--newsbot" not in args:
            shim = Path(tmp) / "newsbot_shim.py"
            shim.write_text(SHIM, encoding="utf-8")
            args += ["--newsbot", f"{python} {shim}"]
        if "--newsbot-config-extra" not in args:
            args += ["--newsbot-config-extra", str(pins)]
        sys.argv = [str(HARNESS), *args]
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        code: int = harness.main()
    print()
    print_split()
    first = startup_ms(checkout, python)
    print(f"\nnewsbot start to first request: {first:.0f} ms (median of 3; goal <= 500)")
    load1, load5, _ = os.getloadavg()
    print(
        f"run started {started}; {os.cpu_count()} CPUs; load average now {load1:.2f} / {load5:.2f}"
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
