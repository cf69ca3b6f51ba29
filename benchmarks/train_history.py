"""How long ``hotline train`` takes on a city's history (default 100,000 orders).

    .venv/bin/python benchmarks/train_history.py [--orders 100000] [--database sqlite]

Generates the orders with ``hotline demo generate``'s code into a fresh database. The demo's
texts are short and formulaic, so where the development data is present each order's
content also gets a real citizen message (``../shared/data/gov-messages``, cycled): the
vocabulary and the length the classifiers face are then those of a real city. Runs the
same ``train_from_history`` as the command and prints JSON: seconds to read the orders,
seconds to fit each classifier, total, the stored model's size and the held-back scores.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = ROOT.parent / "shared" / "data" / "gov-messages" / "messages_with_replies.jsonl"
TARGET_SECONDS = 15 * 60


def realistic_texts() -> int:
    """Append a real message to each generated order's content; returns how many."""
    from hotline.orders.models import WorkOrder

    if not MESSAGES.exists():
        print(f"no real messages at {MESSAGES}: demo texts only", file=sys.stderr)
        return 0
    texts = [json.loads(line)["text"] for line in MESSAGES.read_text("utf-8").splitlines()]
    batch, done = [], 0
    for number, order in enumerate(WorkOrder.objects.only("pk", "content").iterator(2000)):
        order.content = f"{order.content}{texts[number % len(texts)][:600]}"
        batch.append(order)
        if len(batch) == 2000:
            WorkOrder.objects.bulk_update(batch, ["content"])
            done += len(batch)
            batch = []
    WorkOrder.objects.bulk_update(batch, ["content"])
    return done + len(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _setup import fresh_database

    fresh_database(args.database)
    from hotline.demo.city import load_city
    from hotline.demo.generate import generate
    from hotline.intake.training import train_from_history

    load_city()
    generate(args.orders, days=365, seed=1)
    enriched = realistic_texts()
    started = time.perf_counter()
    version = train_from_history(by="benchmark", show_progress=True)
    total = time.perf_counter() - started
    report = {
        target: {k: v for k, v in scores.items() if k not in ("per_class", "too_rare")}
        for target, scores in version.report.items()
    }
    print(
        json.dumps(
            {
                "benchmark": "train_history",
                "database": args.database,
                "orders": args.orders,
                "with_real_texts": enriched,
                "examples": version.examples,
                "held_back": version.held_back,
                "total_seconds": round(total, 1),
                "target_seconds": TARGET_SECONDS,
                "size_bytes": version.size,
                "report": report,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
