"""Server time of the console's main pages over many generated orders (default 100,000).

Generates the orders with ``hotline demo generate``'s code into a fresh database, logs in
as the demo user of each workbench and requests every page several times through Django
(in-process test client: no socket, so the figure is the platform's own cost). Reports
median, p95 and max per page, the SQL queries of one request and the queue's row count.

    .venv/bin/python benchmarks/console_pages.py [--orders 100000] [--repeats 20]
        [--database sqlite postgres] [--sql]

Prints one JSON object per database. ``--sql`` adds each page's three slowest queries.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_MS = 150


def pick() -> dict:
    """The users and the orders the pages are requested with, chosen from the generated data."""
    from django.db.models import Count

    from hotline.console import queues
    from hotline.orders.lifecycle import CLOCKED_STATUSES
    from hotline.orders.models import WorkOrder
    from hotline.orgs.models import User

    users = {
        name: User.objects.get(username=name)
        for name in ("operator1", "dispatcher1", "reviewer1", "callback1", "supervisor1", "admin")
    }
    # The handler whose unit has the most open orders: the longest inbox.
    open_by_unit = dict(
        WorkOrder.objects.filter(status__in=CLOCKED_STATUSES)
        .values_list("lead_unit_id")
        .annotate(n=Count("id"))
    )
    handlers = User.objects.filter(username__startswith="handler_", unit__isnull=False)
    users["handler"] = max(handlers, key=lambda u: (open_by_unit.get(u.unit_id, 0), u.username))
    phone = (
        WorkOrder.objects.values("caller_phone")
        .annotate(n=Count("id"))
        .order_by("-n", "caller_phone")
        .values_list("caller_phone", flat=True)
        .first()
    ) or "13800138000"
    dispatch_order = queues.dispatch_queue(users["dispatcher1"]).first()
    if dispatch_order is None:  # nothing waits right now: take a call, as an operator would
        from hotline.orders import service
        from hotline.orgs.models import Area, RequestType

        dispatch_order = service.register(
            service.Intake(
                title="工地夜间施工噪声",
                content="中原路某工地每晚十一点后仍在施工,影响休息。",
                request_type=RequestType.COMPLAINT,
                area=Area.objects.get(code="410902001"),
                caller_phone=phone,
            ),
            users["operator1"],
        )
    inbox_order = queues.inbox_queue(users["handler"]).first()
    return {
        "users": users,
        "phone": phone,
        "dispatch_order": dispatch_order.number,
        "inbox_order": inbox_order.number if inbox_order else None,
    }


def pages(chosen: dict) -> dict[str, tuple[str, str, object]]:
    """name → (username, URL, row count of the list shown, or a function giving it)."""
    from hotline.console import queues
    from hotline.orders.selectors import OrderQuery, search_orders
    from hotline.orgs.models import Area

    users = chosen["users"]
    dispatch, inbox = chosen["dispatch_order"], chosen["inbox_order"]
    district = Area.objects.get(code="410902")  # 华龙区, the city's main district

    def queue(function, username):
        return lambda: function(users[username]).count()

    def search(**query):
        return lambda: search_orders(users["dispatcher1"], OrderQuery(**query)).count()

    table = {
        "intake": ("operator1", "/console/intake/", None),
        "intake_caller": (
            "operator1",
            f"/console/intake/caller?caller_phone={chosen['phone']}",
            None,
        ),
        "intake_categories": ("operator1", "/console/intake/categories?category_search=噪音", None),
        "intake_answers": ("operator1", "/console/intake/answers?knowledge_q=噪声", None),
        "dispatch": (
            "dispatcher1",
            "/console/dispatch/",
            queue(queues.dispatch_queue, "dispatcher1"),
        ),
        "dispatch_panel": ("dispatcher1", f"/console/orders/{dispatch}/panel?bench=dispatch", None),
        "inbox": ("handler", "/console/inbox/", queue(queues.inbox_queue, "handler")),
        "inbox_panel": ("handler", f"/console/orders/{inbox}/panel?bench=inbox", None),
        "review": ("reviewer1", "/console/review/", queue(queues.review_queue, "reviewer1")),
        "callback": ("callback1", "/console/callback/", queue(queues.callback_queue, "callback1")),
        "supervise": (
            "supervisor1",
            "/console/supervise/",
            queue(queues.overdue_board, "supervisor1"),
        ),
        "orders": ("dispatcher1", "/console/orders/", search()),
        "orders_q": ("dispatcher1", "/console/orders/?q=噪声", search(q="噪声")),
        "orders_status_area": (
            "dispatcher1",
            f"/console/orders/?status=accepted&area={district.code}",
            search(status=["accepted"], area=district),
        ),
        "order": ("dispatcher1", f"/console/orders/{dispatch}/", None),
        "order_print": ("dispatcher1", f"/console/orders/{dispatch}/print", None),
        "settings": ("admin", "/console/settings/", None),
    }
    if inbox is None:  # the handler's unit has no open order: nothing to show beside the queue
        del table["inbox_panel"]
    return table


def measure(client, url: str, repeats: int, show_sql: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        try:
            return client.get(url).status_code
        except Exception as error:  # a crash is a result too; the other pages still run
            return f"{type(error).__name__}: {error}"[:200]

    status = get()  # warm-up: template loading, first-use caches, database pages
    with CaptureQueriesContext(connection) as captured:
        get()
    queries = list(captured.captured_queries)  # a view of the log the next request clears
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        code = get()
        runs.append(time.perf_counter() - t0)
        if status == 200:
            status = code  # keep the first answer that is not 200
    runs.sort()
    result = {
        "median_ms": round(statistics.median(runs) * 1000, 1),
        "p95_ms": round(runs[math.ceil(0.95 * len(runs)) - 1] * 1000, 1),  # nearest rank
        "max_ms": round(runs[-1] * 1000, 1),
        "queries": len(queries),
        "status": status,
    }
    if show_sql:
        slowest = sorted(queries, key=lambda q: -float(q["time"]))[:3]
        result["slowest_sql"] = [
            {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]} for q in slowest
        ]
    return result


def run(kind: str, orders: int, repeats: int, show_sql: bool) -> dict:
    from _setup import fresh_database

    fresh_database(kind)
    from django.db import connection
    from django.test import Client

    from hotline.demo.city import load_city
    from hotline.demo.generate import generate
    from hotline.orders.models import WorkOrder

    load_city()
    started = time.perf_counter()
    generate(orders, days=365, seed=1)
    generation = time.perf_counter() - started
    # What autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) does after a bulk load.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if kind == "postgres" else "ANALYZE")
    # The sweeper marks overdue orders, as it does every half minute in a running centre.
    from hotline.orders.service import sweep

    sweep()
    chosen = pick()
    results = {}
    for name, (username, url, rows) in pages(chosen).items():
        client = Client(raise_request_exception=False)
        client.force_login(chosen["users"][username])
        results[name] = measure(client, url, repeats, show_sql)
        if rows is not None:
            results[name]["rows"] = rows()
    slowest = max(results, key=lambda name: results[name]["median_ms"])
    return {
        "benchmark": "console_pages",
        "orders": WorkOrder.objects.count(),
        "database": kind,
        "generated_orders_per_second": round(orders / generation, 1),
        "repeats": repeats,
        "target_ms": TARGET_MS,
        "handler": chosen["users"]["handler"].username,
        "pages": results,
        "slowest": slowest,
        "all_under_target": all(
            page["status"] == 200 and page["median_ms"] <= TARGET_MS for page in results.values()
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--database", nargs="+", default=["sqlite"])
    parser.add_argument("--sql", action="store_true", help="add each page's slowest queries")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run(args.child, args.orders, args.repeats, args.sql)
        print(json.dumps(result, ensure_ascii=False))
        return
    for kind in args.database:  # one process per database: Django binds it at start-up
        command = [sys.executable, __file__, "--child", kind, "--orders", str(args.orders)]
        command += ["--repeats", str(args.repeats)] + (["--sql"] if args.sql else [])
        subprocess.run(command, check=True, cwd=Path(__file__).parent)


if __name__ == "__main__":
    main()
