"""Knowledge search on PostgreSQL's full-text index (HOTLINE_KNOWLEDGE_BACKEND="postgres").

    .venv/bin/python benchmarks/knowledge_postgres.py [--items 100000]

Loads the 3,500 real policy Q&A items of ``../shared/data/policy-qa`` (and synthetic ones up
to ``--items``, as ``knowledge_search.py`` makes them) as published items of a new database
``hotline_bench``, then searches the 500 development questions through the live
``hotline.knowledge.search.search``. Prints JSON: loading time, hit@1/hit@5 (gold: the
item ids of the question) and search p50/p95, alone and with two searchers at once.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import fresh_database  # noqa: E402
from knowledge_search import DATA, synthetic_documents  # noqa: E402

BATCH = 2000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=3500)
    args = parser.parse_args()
    if not (DATA / "kb.jsonl").exists():
        sys.exit(f"skipped: {DATA} is not here (the development data lies beside the project)")
    fresh_database("postgres")
    from django.conf import settings

    settings.HOTLINE_KNOWLEDGE_BACKEND = "postgres"
    kb = [json.loads(line) for line in open(DATA / "kb.jsonl", encoding="utf-8")]
    queries = [json.loads(line) for line in open(DATA / "queries_dev.jsonl", encoding="utf-8")]
    started = time.perf_counter()
    key_of = load(synthetic_documents(kb, max(args.items, len(kb)), Row))
    load_seconds = time.perf_counter() - started

    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does after a large load
        cursor.execute("ANALYZE")
    from hotline.knowledge import pgsearch

    started = time.perf_counter()
    pgsearch.fill_missing()  # the vectors, as the worker computes them after an import
    vectors_seconds = time.perf_counter() - started

    from hotline.knowledge.search import search

    search("预热")  # the tokenizer's dictionary and the model load once per process
    report = {
        "benchmark": "knowledge_postgres",
        "items": len(key_of),
        "load_seconds": round(load_seconds, 1),
        "vectors_seconds": round(vectors_seconds, 1),
    }
    for label, searchers in (("", 1), ("concurrent_", 2)):
        durations, hits = run(search, queries, key_of, searchers)
        durations.sort()
        report[f"{label}p50_ms"] = round(statistics.median(durations), 2)
        report[f"{label}p95_ms"] = round(durations[int(len(durations) * 0.95) - 1], 2)
        if not label:
            report.update(hits)
    connection.close()
    print(json.dumps(report))


class Row:
    def __init__(self, id_, title, text, group):
        self.id, self.title, self.text, self.group = id_, title, text, group


def load(rows: list[Row]) -> dict[int, str]:
    """The rows as published items, written in bulk; returns item pk → the row's id."""
    from django.utils import timezone
    from tqdm import tqdm

    from hotline.knowledge.models import KnowledgeItem, KnowledgeVersion
    from hotline.orgs.models import Role, Unit, User
    from nlp.search import words

    unit = Unit.objects.create(code="bench", name="基准单位", kind="department")
    writer = User.objects.create(username="bench")
    writer.role_grants.create(role=Role.KNOWLEDGE_EDITOR)
    now = timezone.now()
    key_of = {}
    for start in tqdm(range(0, len(rows), BATCH), desc="loading", unit="batch", file=sys.stderr):
        chunk = rows[start : start + BATCH]
        items = KnowledgeItem.objects.bulk_create(
            KnowledgeItem(
                kind="faq", owner_unit=unit, status="published", created_at=now, updated_at=now
            )
            for _ in chunk
        )
        versions = KnowledgeVersion.objects.bulk_create(
            KnowledgeVersion(
                item=item,
                number=1,
                title=row.title[:200],
                text=row.text or row.title,
                fields={"document_number": row.group} if row.group else {},
                state="published",
                written_by=writer,
                written_at=now,
                search_title=" ".join(words(row.title)),
                search_text=" ".join(words(f"{row.title}。{row.text}")),
            )
            for item, row in zip(items, chunk, strict=True)
        )
        for item, version in zip(items, versions, strict=True):
            item.published = version
        KnowledgeItem.objects.bulk_update(items, ["published"])
        key_of.update({item.pk: row.id for item, row in zip(items, chunk, strict=True)})
    return key_of


def run(search, queries, key_of, searchers: int):
    """The queries split among ``searchers`` threads: durations (ms) and hit@1/hit@5."""
    from django.db import connection

    durations, hit1, hit5 = [], 0, 0
    lock = threading.Lock()

    def work(part):
        nonlocal hit1, hit5
        for query in part:
            began = time.perf_counter()
            found = [key_of[f.item.pk] for f in search(query["question"], limit=10)]
            took = (time.perf_counter() - began) * 1000
            gold = {str(g) for g in query["gold"]}
            with lock:
                durations.append(took)
                hit1 += bool(found[:1] and found[0] in gold)
                hit5 += bool(gold & set(found[:5]))
        connection.close()

    threads = [
        threading.Thread(target=work, args=(queries[i::searchers],)) for i in range(searchers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    n = len(queries)
    return durations, {"hit@1": round(hit1 / n, 3), "hit@5": round(hit5 / n, 3)}


if __name__ == "__main__":
    main()
