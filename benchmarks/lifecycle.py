"""Throughput of whole order lives through the JSON API, on SQLite and PostgreSQL.

Each order goes register → dispatch → accept → reply → approve_reply → callback → close,
every step a real HTTP request through Django, django-ninja, token authentication and the
service layer (in-process test client: no socket, so the figure is the platform's own cost).

    .venv/bin/python benchmarks/lifecycle.py [--orders 300] [--database sqlite postgres]

Prints one JSON object per database.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path


def run(kind: str, orders: int) -> dict:
    from _setup import fresh_database

    fresh_database(kind)
    from django.test import Client

    from hotline.demo.city import load_city
    from hotline.orgs.models import ApiToken, ResponsibilityRule, User

    load_city()
    rule = ResponsibilityRule.objects.select_related("lead_unit").filter(areas__isnull=True).first()
    unit = rule.lead_unit
    handler = User.objects.filter(unit=unit).first()
    if handler is None:
        from hotline.orgs.models import Role, RoleGrant

        handler = User.objects.create_user("bench_handler", unit=unit)
        RoleGrant.objects.create(user=handler, role=Role.HANDLER)

    def client(username=None, user=None):
        user = user or User.objects.get(username=username)
        _token, key = ApiToken.issue(user, "bench")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    operator, dispatcher = client("operator1"), client("dispatcher1")
    reviewer, callback, unit_client = client("reviewer1"), client("callback1"), client(user=handler)

    def post(c, path, body):
        response = c.post(f"/api{path}", json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 201), response.content
        return response.json()

    body = {
        "title": "工地夜间施工噪音",
        "content": "中原路某工地每晚十一点后仍在施工,影响休息。",
        "request_type": "complaint",
        "area": "410902001",
        "caller_phone": "13800138000",
    }
    steps = [
        (dispatcher, "dispatch", {"lead_unit": unit.code}),
        (unit_client, "accept", {}),
        (unit_client, "reply", {"note": "已处理"}),
        (reviewer, "approve_reply", {}),
        (callback, "callback", {"is_resolved": True, "is_satisfied": True}),
        (callback, "close", {}),
    ]
    lives = []
    started = time.perf_counter()
    for _ in range(orders):
        t0 = time.perf_counter()
        number = post(operator, "/orders", body)["number"]
        for c, action, params in steps:
            post(c, f"/orders/{number}/actions/{action}", params)
        lives.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    requests = orders * (1 + len(steps))
    return {
        "benchmark": "order_lifecycle_via_api",
        "database": kind,
        "orders": orders,
        "requests": requests,
        "orders_per_second": round(orders / elapsed, 2),
        "requests_per_second": round(requests / elapsed, 1),
        "life_ms_median": round(statistics.median(lives) * 1000, 1),
        "life_ms_p95": round(sorted(lives)[int(0.95 * (len(lives) - 1))] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--database", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.child, args.orders), ensure_ascii=False))
        return
    for kind in args.database:  # one process per database: Django binds it at start-up
        subprocess.run(
            [sys.executable, __file__, "--child", kind, "--orders", str(args.orders)],
            check=True,
            cwd=Path(__file__).parent,
        )


if __name__ == "__main__":
    main()
