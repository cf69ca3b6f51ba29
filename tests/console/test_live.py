"""Live updates: a workbench's stream says when its queue changed."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import AsyncClient

from hotline.console import queues
from tests.factories import register

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_stamp_changes_when_an_order_enters_or_changes(city):
    before = queues.stamp("dispatch", city.dispatcher)
    order = register(city)
    entered = queues.stamp("dispatch", city.dispatcher)
    assert entered != before
    from hotline.orders import service

    service.transition(order, "relate", city.dispatcher, other=register(city).number)
    assert queues.stamp("dispatch", city.dispatcher) != entered


def test_asgi_stream_sends_an_event_when_the_queue_changes(city, settings):
    settings.HOTLINE_LIVE_POLL_SECONDS = 0.05
    settings.HOTLINE_LIVE_STREAM_SECONDS = 5

    async def scenario():
        client = AsyncClient()
        await sync_to_async(client.force_login)(city.dispatcher)
        response = await client.get("/console/live/dispatch")
        assert response["Content-Type"] == "text/event-stream"
        chunks = aiter(response.streaming_content)
        assert (await anext(chunks)).startswith(b"retry:")
        assert await anext(chunks) == b": waiting\n\n"  # the first look
        await sync_to_async(register)(city)
        try:
            for _ in range(20):
                chunk = await anext(chunks)
                if chunk.startswith(b"event: queue"):
                    return True
            return False
        finally:
            # The stream read the database in sync_to_async's own thread: close that
            # connection, or the test database cannot be dropped at the end of the run.
            await sync_to_async(connections.close_all)()

    # In a thread of its own: the browser tests may leave an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, scenario()).result(timeout=30)


def test_wsgi_stream_ends_and_the_browser_reconnects(client, city, settings):
    settings.HOTLINE_LIVE_POLL_SECONDS = 0.01
    settings.HOTLINE_LIVE_STREAM_SECONDS = 0.05
    client.force_login(city.dispatcher)
    response = client.get("/console/live/dispatch")
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("retry: 10")
    assert client.get("/console/live/nope").status_code == 404
