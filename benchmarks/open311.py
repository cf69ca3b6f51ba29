"""Open311 at scale: POST /requests.json throughput and GET /requests.json latency with
100,000 stored requests (default).

Loads the demo city into a fresh database, writes the orders with ``hotline demo generate``'s
code and publishes them all (channel ``open311``), then calls the routes through Django
in-process (no socket: the platform's own cost). A POST is the whole path: the key, the
checks, the draft of the text, the order, its history and the expected unit and deadline.

    .venv/bin/python benchmarks/open311.py [--requests 100000] [--posts 300]
        [--repeats 20] [--database sqlite|postgres]

Prints one JSON object: posts per second (sequential, and with a photo), and median / p95
milliseconds of each GET.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import fresh_database  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048


def timed(call, repeats: int) -> dict:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "rows": len(response.json()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    fresh_database(args.database)

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client

    from hotline.demo.city import load_city
    from hotline.demo.generate import generate
    from hotline.intake import clients
    from hotline.intake.open311 import services
    from hotline.orders.models import WorkOrder
    from hotline.orders.public import published_orders

    settings.ALLOWED_HOSTS = ["*"]
    settings.HOTLINE_OPEN311_RATE_PER_ADDRESS = 0
    load_city()
    started = time.perf_counter()
    generate(args.requests, days=80)  # all within the default 90-day window
    WorkOrder.objects.update(channel="open311", is_confidential=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("ANALYZE")
    generated_s = time.perf_counter() - started
    _client, key = clients.issue("benchmark", rate_per_minute=0)
    web = Client()
    # Realtime services that ask nothing required: a POST needs only the common fields.
    codes = [
        service.code
        for service in services.offered()
        if not service.is_batch and not any(q.is_required for q in service.questions)
    ][:50]

    def post(i: int, photo: bool = False):
        data = {
            "api_key": key,
            "service_code": codes[i % len(codes)],
            "lat": "35.76",
            "long": "115.03",
            "description": f"中原路{i}号附近路灯不亮，晚上很黑，请尽快维修。",
            "phone": "13800138000",
        }
        if photo:
            data["media"] = SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png")
        return web.post("/open311/v2/requests.json", data)

    post(0)  # warm the drafting models
    throughput = {}
    for label, photo, count in (("post", False, args.posts), ("post_with_photo", True, 50)):
        started = time.perf_counter()
        for i in range(count):
            response = post(i, photo)
            assert response.status_code == 200, response.content[:300]
        elapsed = time.perf_counter() - started
        throughput[label] = {"count": count, "per_second": round(count / elapsed, 1)}

    number = published_orders().order_by("-id").values_list("number", flat=True)[500]
    reads = {
        "requests_default_1000": lambda: web.get("/open311/v2/requests.json"),
        "requests_page_100": lambda: web.get("/open311/v2/requests.json", {"page_size": 100}),
        "requests_page_50_of_100": lambda: web.get(
            "/open311/v2/requests.json", {"page_size": 100, "page": 50}
        ),
        "requests_code_open": lambda: web.get(
            "/open311/v2/requests.json", {"service_code": codes[0], "status": "open"}
        ),
        "requests_extensions_100": lambda: web.get(
            "/open311/v2/requests.json", {"page_size": 100, "extensions": "true"}
        ),
        "request_one": lambda: web.get(f"/open311/v2/requests/{number}.json"),
        "requests_xml_100": lambda: web.get("/open311/v2/requests.xml", {"page_size": 100}),
        "updates_page_100": lambda: web.get(
            "/open311/v2/servicerequestupdates.json", {"page_size": 100}
        ),
    }
    latency = {}
    for name, call in reads.items():
        if name == "requests_xml_100":
            call()
            started = time.perf_counter()
            for _ in range(args.repeats):
                assert call().status_code == 200
            latency[name] = {
                "mean_ms": round((time.perf_counter() - started) * 1000 / args.repeats, 1)
            }
            continue
        call()  # warm
        latency[name] = timed(call, args.repeats)
    print(
        json.dumps(
            {
                "database": args.database,
                "stored_requests": WorkOrder.objects.count(),
                "published_requests": published_orders().count(),
                "generate_s": round(generated_s, 1),
                "throughput": throughput,
                "get_latency": latency,
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
