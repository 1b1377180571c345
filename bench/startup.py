"""Benchmark: time from ``newsbot run --once`` start to its first HTTP request.

Serves one page on 127.0.0.1, writes a config with one ``page`` source for it and no token,
starts ``python -m bot run --once`` (this checkout) on a fresh database, and records when the
server sees the first request (robots.txt), measured from just before the process is started.
Prints each round and the median; ``--importtime`` also prints the ten slowest imports of
the run (``python -X importtime``).

    python bench/startup.py [--rounds 5] [--importtime]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = b"<html><head><title>t</title></head><body><p>hello</p></body></html>"


def serve() -> tuple[ThreadingHTTPServer, list[float]]:
    seen: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(time.perf_counter())
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def one_round(
    url: str, folder: Path, importtime: bool, *, root: Path = ROOT, python: str = sys.executable
) -> tuple[float, str]:
    """Seconds from process start to first request, and the importtime log if asked (newsbot
    of the checkout ``root``, run by the interpreter ``python``)."""
    server, seen = serve()
    config = folder / "startup.yaml"
    config.write_text(
        f"sources:\n  - {{id: one, url: '{url.format(port=server.server_address[1])}', "
        "kind: page}\nstorage:\n  url: sqlite:///" + str(folder / f"{time.time_ns()}.db") + "\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONPATH"] = str(root)
    cmd = [python, *(["-X", "importtime"] if importtime else []), "-m", "bot"]
    start = time.perf_counter()
    done = subprocess.run(
        [*cmd, "--config", str(config), "run", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    server.shutdown()
    server.server_close()
    if not seen:
        raise SystemExit(f"no request seen; stderr:\n{done.stderr[-2000:]}")
    return seen[0] - start, done.stderr


def slowest_imports(log: str, count: int = 10) -> list[str]:
    rows = []
    for line in log.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = (part.strip() for part in line[12:].split("|"))
            if cumulative.isdigit() and not name.startswith(" "):
                rows.append((int(cumulative), name))
    tops = sorted(((us, n) for us, n in rows if not n.startswith(" ")), reverse=True)
    return [f"{us / 1000:8.1f} ms  {name}" for us, name in tops[:count]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        times = []
        for index in range(args.rounds):
            took, _ = one_round("http://127.0.0.1:{port}/a", folder, importtime=False)
            times.append(took)
            print(f"round {index + 1}: first request after {took * 1000:.0f} ms")
        print(f"median: {statistics.median(times) * 1000:.0f} ms (goal <= 500 ms)")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        if args.importtime:
            _, log = one_round("http://127.0.0.1:{port}/a", folder, importtime=True)
            print("slowest top-level imports (cumulative, -X importtime):")
            print("\n".join(slowest_imports(log)))


if __name__ == "__main__":
    main()
