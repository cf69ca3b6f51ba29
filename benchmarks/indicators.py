"""Indicator query time over many generated orders (default 1,000,000), SQLite or PostgreSQL.

Generates the orders with ``hotline demo generate``'s code into a fresh database, then times
the indicator report for each grouping (median of several runs).

    .venv/bin/python benchmarks/indicators.py [--orders 1000000] [--database sqlite]

Prints one JSON object per database. Generating a million orders takes a while; the
generation rate is part of the output.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path


def run(kind: str, orders: int, repeats: int) -> dict:
    from _setup import fresh_database

    fresh_database(kind)
    from django.db import connection
    from django.utils import timezone

    from hotline.demo.city import load_city
    from hotline.demo.generate import generate
    from hotline.orders import indicators
    from hotline.orders.models import WorkOrder

    load_city()
    started = time.perf_counter()
    generate(orders, days=365, seed=1)
    generation = time.perf_counter() - started
    # What autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) does after a bulk load:
    # statistics for the planner and, on PostgreSQL, the visibility map for index-only scans.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE orders_workorder" if kind == "postgres" else "ANALYZE")
    start = timezone.localdate().replace(year=timezone.localdate().year - 1)
    timings = {}
    for group_by in ("none", "unit", "area", "category", "period"):
        runs = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            indicators.report(WorkOrder.objects.all(), group_by=group_by, start=start)
            runs.append(time.perf_counter() - t0)
        timings[group_by] = round(statistics.median(runs) * 1000, 1)
    return {
        "benchmark": "indicators",
        "database": kind,
        "orders": WorkOrder.objects.count(),
        "generated_orders_per_second": round(orders / generation, 1),
        "report_ms_median": timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database", nargs="+", default=["sqlite"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.child, args.orders, args.repeats), ensure_ascii=False))
        return
    for kind in args.database:
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                kind,
                "--orders",
                str(args.orders),
                "--repeats",
                str(args.repeats),
            ],
            check=True,
            cwd=Path(__file__).parent,
        )


if __name__ == "__main__":
    main()
