"""Knowledge search at scale: indexing time and search latency at 100,000 items.

    .venv/bin/python benchmarks/knowledge_search.py [--items 100000]

The 3,500 real policy Q&A items of ``../shared/data/policy-qa`` are joined by synthetic
ones (each title mixes the halves of two real titles, each text is a real text, each group
a new one) up to ``--items``; the 500 development questions are searched against them with
the live code (``nlp.search.LexicalIndex``). Prints JSON: items, index seconds, search p50,
p95 and max in ms, and hit@1/hit@5 with the synthetic distractors in.
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
DATA = ROOT.parent / "shared" / "data" / "policy-qa"
TARGET_P95_MS = 50
TARGET_INDEX_SECONDS = 600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    if not (DATA / "kb.jsonl").exists():
        sys.exit(f"the development data is not here: {DATA}")
    sys.path.insert(0, str(ROOT))
    from nlp.search import Document, LexicalIndex

    kb = [json.loads(line) for line in (DATA / "kb.jsonl").read_text("utf-8").splitlines()]
    queries = [
        json.loads(line) for line in (DATA / "queries_dev.jsonl").read_text("utf-8").splitlines()
    ]
    documents = [Document(r["id"], r["title"], r.get("text", ""), r.get("group", "")) for r in kb]
    rng = random.Random(0)
    while len(documents) < args.items:
        a, b = rng.choice(kb), rng.choice(kb)
        title = a["title"][: len(a["title"]) // 2] + b["title"][len(b["title"]) // 2 :]
        documents.append(
            Document(f"s{len(documents)}", title, b.get("text", ""), f"g{len(documents) // 5}")
        )
    started = time.perf_counter()
    index = LexicalIndex(documents)
    index_seconds = time.perf_counter() - started
    index.search("预热")
    durations, hit1, hit5 = [], 0, 0
    for query in queries:
        one = time.perf_counter()
        found = [hit.id for hit in index.search(query["question"], k=10)]
        durations.append((time.perf_counter() - one) * 1000)
        gold = set(query["gold"])
        hit1 += bool(found[:1] and found[0] in gold)
        hit5 += bool(gold & set(found[:5]))
    durations.sort()
    print(
        json.dumps(
            {
                "benchmark": "knowledge_search",
                "items": len(documents),
                "index_seconds": round(index_seconds, 1),
                "target_index_seconds": TARGET_INDEX_SECONDS,
                "queries": len(queries),
                "p50_ms": round(statistics.median(durations), 2),
                "p95_ms": round(durations[int(len(durations) * 0.95) - 1], 2),
                "max_ms": round(durations[-1], 2),
                "target_p95_ms": TARGET_P95_MS,
                "hit@1": round(hit1 / len(queries), 4),
                "hit@5": round(hit5 / len(queries), 4),
            }
        )
    )


if __name__ == "__main__":
    main()
