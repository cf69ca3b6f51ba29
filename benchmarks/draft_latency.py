"""Time of a full intake draft for a 3-minute call's transcript, and drafts per second.

    .venv/bin/python benchmarks/draft_latency.py [--orders 20000] [--calls 200]
        [--database sqlite]

Builds the demo city with ``--orders`` generated orders, trains the models with ``hotline
train``'s code, then drafts ``--calls`` transcripts of about 900 characters (a 3-minute
call: operator and caller turns). Each caller's words come from a real citizen message
(``../shared/data/gov-messages``) where present, else from the demo's own phrasing. A
draft is everything the console fills: request type, category, place, summary, units with
reasons, flags. The models are loaded before timing starts (once per worker, as in
production). One process is one core: drafts per second here is the throughput per core.
Prints JSON with p50/p95/max in ms and drafts per second.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = ROOT.parent / "shared" / "data" / "gov-messages" / "messages_with_replies.jsonl"
TARGET_P95_MS = 300
CALL_CHARS = 900

FALLBACK = [
    "我们小区门口的工地最近每天晚上都施工到十二点以后，打桩的声音特别大，家里老人孩子都睡不好觉，"
    "我们找过工地负责人，他们说有手续，但是夜间施工应该有规定吧",
    "我家这边已经停水三天了，也没有看到任何通知，打自来水公司电话一直占线，家里老人做饭洗澡都成问题",
    "我在一家公司上班，老板拖欠了我们十几个工人三个月的工资，一共大概十五万块钱，找了好几次都说没钱",
]


def caller_stories() -> list[str]:
    if MESSAGES.exists():
        return [json.loads(line)["text"] for line in MESSAGES.read_text("utf-8").splitlines()]
    print(f"no real messages at {MESSAGES}: demo phrasing only", file=sys.stderr)
    return FALLBACK


def transcript(story: str, rng: random.Random) -> str:
    """A call of about CALL_CHARS characters: greeting, the caller's story in turns, the
    operator's questions, the caller's request."""
    sentences = [s for s in story.replace("\n", "。").split("。") if s.strip()] or [story]
    lines = ["坐席：您好，12345政务服务便民热线，请问有什么可以帮您？"]
    questions = [
        "坐席：嗯，您说的具体位置在哪里？",
        "坐席：这个情况持续多久了？",
        "坐席：好的，您接着说。",
    ]
    while sum(len(line) for line in lines) < CALL_CHARS - 60:
        for sentence in sentences:
            lines.append(f"市民：{sentence.strip()}。")
            if rng.random() < 0.4:
                lines.append(rng.choice(questions))
            if sum(len(line) for line in lines) >= CALL_CHARS - 60:
                break
    lines.append("坐席：您希望怎么处理？")
    lines.append("市民：希望有关部门尽快调查处理，给我们一个答复。我的电话是13812345678。")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _setup import fresh_database

    fresh_database(args.database)
    from hotline.demo.city import load_city
    from hotline.demo.generate import generate
    from hotline.intake import drafting, versions
    from hotline.intake.training import train_from_history

    load_city()
    generate(args.orders, days=365, seed=1)
    version = train_from_history(show_progress=False, by="benchmark")
    rng = random.Random(0)
    stories = caller_stories()
    calls = [transcript(rng.choice(stories), rng) for _ in range(args.calls)]
    versions.live()  # load the models, as a worker does at its first draft
    drafting.draft(calls[0])
    durations = []
    started = time.perf_counter()
    for text in calls:
        one = time.perf_counter()
        drafting.draft(text)
        durations.append((time.perf_counter() - one) * 1000)
    elapsed = time.perf_counter() - started
    durations.sort()
    print(
        json.dumps(
            {
                "benchmark": "draft_latency",
                "database": args.database,
                "orders": args.orders,
                "model_version": version.number,
                "calls": len(calls),
                "mean_chars": round(statistics.mean(len(c) for c in calls)),
                "p50_ms": round(statistics.median(durations), 1),
                "p95_ms": round(durations[int(len(durations) * 0.95) - 1], 1),
                "max_ms": round(durations[-1], 1),
                "target_p95_ms": TARGET_P95_MS,
                "drafts_per_second_per_core": round(len(calls) / elapsed, 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
