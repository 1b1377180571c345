"""Benchmark: time from ``newsbot run --once`` start to its first HTTP request.

Serves one page on 127.0.0.1, writes a config with one ``page`` source for it and no token,
starts ``python -m bot run --once`` (this checkout) on a fresh database, and records when the
server sees the first request (robots.txt), measured from just before the process is started,
and the CPU time the process had used by then (read from ``/proc`` when the request arrives;
Linux only, 10 ms ticks). Prints each round, the medians, and the CPU of the whole run (page
workers included). Rounds of ``--against`` (another checkout, e.g. ``/work/main``) are
interleaved with this checkout's, so both see the same machine load; the ratio is printed.

- ``--topics``: the bench config gets the aliases and topics of ``config/newsbot.yaml``, so
  start-up compiles real rules and runs their ``tests:`` examples, as a real config does.
- ``--cached-bytecode``: compiled bytecode is kept between rounds (in a temporary
  ``PYTHONPYCACHEPREFIX``, after one unmeasured warm-up round per checkout), as in an install
  whose ``__pycache__`` is writable; by default the environment decides (with
  ``PYTHONDONTWRITEBYTECODE=1`` every round compiles the checkout's modules again).
- ``--python PATH``: the interpreter that runs newsbot, e.g. a venv with only newsbot's
  dependencies (packages a development environment adds, such as trio, which httpcore imports
  when present, would otherwise be counted).
- ``--importtime``: one more round under ``python -X importtime``; prints the slowest
  imports (cumulative, nested ones too) of the bot's own process before its first request
  (an audit hook marks the first connection in the log; page workers start later and are
  not counted).

    python bench/startup.py [--rounds 5] [--importtime] [--against /work/main] [--topics]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGE = b"<html><head><title>t</title></head><body><p>hello</p></body></html>"
MARK = "BENCH-FIRST-CONNECT"
# Runs ``python -m bot`` after installing an audit hook that writes MARK to stderr at the
# process's first socket connection, so ``-X importtime`` output can be cut there.
MARKED_MAIN = (
    "import runpy, sys\n"
    "def _hook(event, args, _seen=[]):\n"
    "    if event == 'socket.connect' and not _seen:\n"
    f"        _seen.append(1); sys.stderr.write('{MARK}\\n'); sys.stderr.flush()\n"
    "sys.addaudithook(_hook)\n"
    "sys.argv[0] = 'bot'\n"
    "runpy.run_module('bot', run_name='__main__', alter_sys=True)\n"
)


@dataclass(frozen=True, slots=True)
class Round:
    """One start of ``run --once``: seconds to the first request, the CPU seconds the process
    had used by then (None where /proc is missing), CPU and wall seconds of the whole run."""

    first_s: float
    cpu_at_first_s: float | None
    run_cpu_s: float
    run_wall_s: float
    stderr: str


def _process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` so far (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _FirstRequest:
    """A loopback server that notes when the first request arrives and the client's CPU then."""

    def __init__(self) -> None:
        self.seen: list[float] = []
        self.cpu: list[float | None] = []
        self.pid = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not owner.seen:
                    owner.seen.append(time.perf_counter())
                    owner.cpu.append(_process_cpu_s(owner.pid))
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                self.wfile.write(PAGE)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _config_text(url: str, database: Path, topics: bool) -> str:
    doc: dict[str, object] = {
        "sources": [{"id": "one", "url": url, "kind": "page"}],
        "storage": {"url": f"sqlite:///{database}"},
    }
    if topics:
        real = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
        doc["aliases"] = real.get("aliases", {})
        doc["topics"] = real.get("topics", [])
    return yaml.safe_dump(doc, allow_unicode=True)


def measure_round(
    url: str,
    folder: Path,
    *,
    importtime: bool = False,
    root: Path = ROOT,
    python: str = sys.executable,
    topics: bool = False,
    pycache: Path | None = None,
) -> Round:
    """One start of newsbot of the checkout ``root``, run by the interpreter ``python``."""
    server = _FirstRequest()
    config = folder / "startup.yaml"
    database = folder / f"{time.time_ns()}.db"
    config.write_text(
        _config_text(url.format(port=server.port), database, topics), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONPATH"] = str(root)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    main = ["-X", "importtime", "-c", MARKED_MAIN] if importtime else ["-m", "bot"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        [python, *main, "--config", str(config), "run", "--once"],
        env=env,
        cwd=folder,  # not a checkout: ``-m``/``-c`` put the working directory first on sys.path
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server.pid = process.pid
    try:
        _, stderr = process.communicate(timeout=120)
    finally:
        server.close()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if not server.seen:
        raise SystemExit(f"no request seen; stderr:\n{stderr[-2000:]}")
    return Round(server.seen[0] - start, server.cpu[0], cpu, wall, stderr)


def one_round(
    url: str, folder: Path, importtime: bool, *, root: Path = ROOT, python: str = sys.executable
) -> tuple[float, str]:
    """Seconds from process start to first request, and the importtime log if asked (newsbot
    of the checkout ``root``, run by the interpreter ``python``)."""
    measured = measure_round(url, folder, importtime=importtime, root=root, python=python)
    return measured.first_s, measured.stderr


def slowest_imports(log: str, count: int = 10) -> list[str]:
    """The ``count`` slowest imports (cumulative, nested ones too) of an importtime log, up to
    MARK when it is there."""
    rows = []
    for line in log.split(MARK)[0].splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = (part.strip() for part in line[12:].split("|"))
            if cumulative.isdigit():
                rows.append((int(cumulative), name))
    return [f"{us / 1000:8.1f} ms  {name}" for us, name in sorted(rows, reverse=True)[:count]]


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 1000:.0f} ms"


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _summary(name: str, rounds: list[Round]) -> str:
    return (
        f"{name}: median first request after {_ms(_median([r.first_s for r in rounds]))}, "
        f"CPU by then {_ms(_median([r.cpu_at_first_s for r in rounds]))}; whole run "
        f"{_ms(_median([r.run_wall_s for r in rounds]))} wall, "
        f"{_ms(_median([r.run_cpu_s for r in rounds]))} CPU (workers included)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--against", type=Path, help="another checkout, measured interleaved")
    parser.add_argument("--python", default=sys.executable, help="the interpreter of newsbot")
    parser.add_argument("--topics", action="store_true", help="config/newsbot.yaml's topics")
    parser.add_argument("--cached-bytecode", action="store_true")
    args = parser.parse_args()
    checkouts = {"this checkout": ROOT}
    if args.against:
        checkouts[str(args.against)] = args.against.resolve()
    url = "http://127.0.0.1:{port}/a"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def run(root: Path, importtime: bool = False) -> Round:
            pycache = folder / "pycache" / root.name if args.cached_bytecode else None
            return measure_round(
                url,
                folder,
                importtime=importtime,
                root=root,
                python=args.python,
                topics=args.topics,
                pycache=pycache,
            )

        if args.cached_bytecode:
            for root in checkouts.values():
                run(root)  # warm-up: writes the bytecode
        results: dict[str, list[Round]] = {name: [] for name in checkouts}
        for index in range(args.rounds):
            for name, root in checkouts.items():
                took = run(root)
                results[name].append(took)
                print(
                    f"round {index + 1} {name}: first request after {_ms(took.first_s)} "
                    f"(CPU {_ms(took.cpu_at_first_s)})"
                )
        for name, rounds in results.items():
            print(_summary(name, rounds))
        if args.against:
            ours, theirs = results.values()
            ratio = statistics.median(r.first_s for r in ours) / statistics.median(
                r.first_s for r in theirs
            )
            print(f"ratio this/{args.against}: {ratio:.2f} (first request)")
        print(f"goal: first request <= 500 ms; python {args.python}")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        if args.importtime:
            for name, root in checkouts.items():
                log = run(root, importtime=True).stderr
                print(f"{name}: slowest imports (cumulative) before the first request:")
                print("\n".join(slowest_imports(log)))


if __name__ == "__main__":
    main()
