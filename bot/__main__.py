"""``python -m bot`` runs the newsbot command line."""

from bot.runtime.cli import main

if __name__ == "__main__":  # not again in a spawned page worker
    raise SystemExit(main())
