"""API keys of channel clients: made by ``hotline apikey`` or in the admin, shown once,
revocable and renewable."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from hotline.cli import main
from hotline.intake import clients
from hotline.intake.models import ChannelClient
from hotline.orgs.models import User

pytestmark = pytest.mark.django_db


def run(capsys, *argv) -> str:
    main(list(argv))
    return capsys.readouterr().out.strip()


def test_cli_creates_lists_revokes_and_renews_a_key(capsys):
    key = run(capsys, "apikey", "create", "市民App", "--contact", "app@example.cn", "--rate", "30")
    client = clients.authenticate(key)
    assert client.name == "市民App" and client.rate_per_minute == 30
    assert key not in ChannelClient.objects.values_list("key_hash", flat=True)  # hash only
    assert "市民App" in run(capsys, "apikey", "list")
    with pytest.raises(SystemExit):
        main(["apikey", "create", "市民App"])
    run(capsys, "apikey", "revoke", "市民App")
    assert clients.authenticate(key) is None
    assert "revoked" in run(capsys, "apikey", "list")
    new_key = run(capsys, "apikey", "renew", "市民App")
    assert clients.authenticate(new_key).name == "市民App"
    assert clients.authenticate(key) is None
    with pytest.raises(SystemExit):
        main(["apikey", "revoke", "nobody"])


def test_admin_shows_a_new_key_once_and_revokes_it():
    root = User.objects.create_superuser("root", password="pw-for-tests")
    web = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    web.force_login(root)
    response = web.post(
        "/admin/intake/channelclient/add/",
        {"name": "微信网关", "contact": "", "rate_per_minute": 120},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    key = next(word for text in shown for word in text.split() if word.startswith("ck_"))
    client = clients.authenticate(key)
    assert client.name == "微信网关"
    web.post(
        "/admin/intake/channelclient/",
        {"action": "revoke_keys", "_selected_action": [client.pk]},
        follow=True,
    )
    assert clients.authenticate(key) is None
