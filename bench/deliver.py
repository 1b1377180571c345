"""Delivery benchmark: N subscribers × K alerts sent by a real `newsbot run` to the fake Bot API.

The outbox is filled first; then the real bot process (python-telegram-bot, the real sender and
pacer) delivers it to the fake Telegram server on loopback, which runs in this process and
enforces Telegram's flood limits (it answers 429 when one is broken) with some latency. The
bot runs in its own process so the fake's clock is not disturbed by the sender's work. Prints
the achieved send rate against the configured global rate, the busiest one-second window, the
fastest any one chat was served against 1 message/s, 429s received, and loss (must be 0).

    python bench/deliver.py                      # 1,000 × 3 at Telegram's real limits (~2 min)
    python bench/deliver.py --scale 0.1          # every window 10× shorter
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.store import Store  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, FloodLimits  # noqa: E402
from tests.outbox_support import seed, stories_in  # noqa: E402


def alerts_received(fake: FakeTelegram) -> Counter[tuple[int | str, int]]:
    got: Counter[tuple[int | str, int]] = Counter()
    for message in fake.sent_messages():
        for story in stories_in(message.text):
            got[(message.chat_id, story)] += 1
    return got


def run(args: argparse.Namespace) -> int:
    chats = [100_000 + i for i in range(args.subscribers)]
    wanted = {(c, s) for c in chats for s in range(args.alerts)}
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as fake:
        fake.flood_limits = FloodLimits(time_scale=args.scale)
        fake.delay_s = args.latency
        database = f"sqlite:///{tmp}/bench.db"
        store = Store(database)
        seed(store, chats, args.alerts)
        store.close()
        config = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
        config["sources"] = []
        config["telegram"] = {
            "api_base_url": fake.url,
            "global_rate": args.rate,
            "deliver_every": "1s",
            "poll_timeout": "1s",
            "send_concurrency": args.concurrency,
            "pacing_scale": args.scale,
        }
        config_path = Path(tmp) / "newsbot.yaml"
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        env = dict(os.environ, TELEGRAM_BOT_TOKEN=fake.token, NEWSBOT_DATABASE_URL=database)
        started = time.monotonic()
        with (Path(tmp) / "bot.log").open("wb") as log:
            bot = subprocess.Popen(
                [sys.executable, "-m", "bot", "--config", str(config_path), "run"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        seen: set[tuple[int | str, int]] = set()
        looked = [0]

        def all_arrived(f: FakeTelegram) -> bool:
            # runs under the fake's lock on every request: look at new messages only
            messages = f.sent_messages()
            for message in messages[looked[0] :]:
                seen.update((message.chat_id, story) for story in stories_in(message.text))
            looked[0] = len(messages)
            return seen >= wanted

        try:
            fake.wait_for(all_arrived, timeout=args.timeout)
        except TimeoutError:
            print("timed out waiting for every alert")
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
        store = Store(database)
        counts = store.delivery_counts()
        store.close()

        sends = fake.calls("sendMessage")
        accepted = [r for r in sends if r.status == 200]
        floods = sum(1 for r in sends if r.status == 429)
        got = alerts_received(fake)
        lost = len(wanted - set(got))
        duplicates = sum(n - 1 for n in got.values())
        per_chat: dict[int | str, list[float]] = defaultdict(list)
        for r in accepted:
            per_chat[r.chat_id].append(r.at)
        gaps = [b - a for times in per_chat.values() for a, b in itertools.pairwise(times)]
        times = sorted(r.at for r in accepted)
        window = args.scale
        busiest = max(
            (bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)), default=0
        )
        span = (times[-1] - times[0]) if len(times) > 1 else float("nan")
        elapsed = time.monotonic() - started

    print(f"deliveries: {args.subscribers} subscribers × {args.alerts} alerts = {len(wanted)}")
    print(
        f"messages:   {len(accepted)} accepted, {floods} answered 429, "
        f"outbox afterwards {dict(counts)}"
    )
    print(
        f"time:       {span:.1f} s first to last send, {elapsed:.1f} s with start-up "
        f"(time scale {args.scale:g}, API latency {args.latency} s, "
        f"{args.concurrency} sends in flight)"
    )
    print(
        f"send rate:  {(len(accepted) - 1) / span * args.scale:.1f} msg/s achieved vs "
        f"{args.rate:g}/s configured global rate (Telegram allows 30/s)"
    )
    print(f"busiest 1 s window: {busiest} messages (limit {args.rate:g})")
    fastest = window / min(gaps) if gaps else 0.0
    print(f"per chat:   fastest {fastest:.2f} msg/s to one private chat (limit 1/s)")
    print(f"loss:       {lost}   duplicates: {duplicates}")
    return 0 if lost == 0 and floods == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--alerts", type=int, default=3)
    parser.add_argument("--rate", type=float, default=25.0, help="telegram.global_rate")
    parser.add_argument("--scale", type=float, default=1.0, help="pacing time scale")
    parser.add_argument("--latency", type=float, default=0.03, help="fake API answer delay, s")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait")
    return run(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
