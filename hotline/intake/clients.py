"""The keys of the systems that send requests in, and how often they may call.

A key is made once (``hotline apikey create NAME`` or the admin) and only its hash is kept.
Calls are counted per minute in Django's cache, which the embedded default keeps in its one
web process.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from .models import ChannelClient


def issue(name: str, *, contact: str = "", rate_per_minute: int = 60) -> tuple[ChannelClient, str]:
    """Make a client with a new key; the key is returned once and never stored."""
    key = ChannelClient.new_key()
    client = ChannelClient(name=name, contact=contact, rate_per_minute=rate_per_minute)
    client.set_key(key)
    client.save()
    return client, key


def renew(client: ChannelClient) -> str:
    """Give ``client`` a new key (the old one stops working) and lift a revocation."""
    key = ChannelClient.new_key()
    client.set_key(key)
    client.revoked_at = None
    client.save(update_fields=["key_hash", "prefix", "revoked_at"])
    return key


def revoke(client: ChannelClient) -> None:
    ChannelClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    client.refresh_from_db()


def authenticate(key: str) -> ChannelClient | None:
    """The client holding ``key``, unless it is unknown or revoked."""
    if not key or len(key) > 200:
        return None
    client = ChannelClient.objects.filter(
        key_hash=ChannelClient.hash_key(key), revoked_at__isnull=True
    ).first()
    if client is not None:
        # Written at most once a minute: reads with a key should not each be a write.
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):
            ChannelClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def allow(scope: str, limit: int, now: float | None = None, *, per: int = 60) -> bool:
    """Count one call of ``scope`` in the current window of ``per`` seconds (a minute by
    default); False once over ``limit``."""
    if limit <= 0:
        return True
    window = int((now if now is not None else time.time()) // per)
    key = f"rate:{scope}:{per}:{window}"
    if cache.add(key, 1, timeout=per * 2):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=per * 2)
        count = 1
    return count <= limit
