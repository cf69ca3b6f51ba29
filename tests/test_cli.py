"""The `hotline` command: its help, and `hotline serve` on a fresh embedded database."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def hotline(*args, env=None, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        **kwargs,
    )


def test_help_lists_the_commands():
    result = hotline("--help")
    assert result.returncode == 0
    for command in ("serve", "worker", "sweep", "demo", "token"):
        assert command in result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, body=None, token=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.mark.slow
def test_serve_starts_the_demo_city_on_a_fresh_embedded_database(tmp_path):
    port = free_port()
    env = {**os.environ, "HOTLINE_VAR_DIR": str(tmp_path), "HOTLINE_SWEEP_INTERVAL": "1"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "hotline.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                call(f"{base}/api/health")
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("hotline serve did not answer within 60 s")
        token = call(
            f"{base}/api/auth/token", {"username": "operator1", "password": "hotline12345"}
        )["token"]
        order = call(
            f"{base}/api/orders",
            {
                "title": "路灯不亮",
                "content": "中原路街道路灯坏了",
                "request_type": "help",
                "area": "410902001",
            },
            token,
        )
        assert order["status"] == "registered"
        number = order["number"]
        tokens = {}
        for username in ("dispatcher1", "handler_py-cgj", "reviewer1", "callback1"):
            tokens[username] = call(
                f"{base}/api/auth/token", {"username": username, "password": "hotline12345"}
            )["token"]
        life = [
            ("dispatcher1", "dispatch", {"lead_unit": "py-cgj"}),
            ("handler_py-cgj", "accept", {}),
            ("handler_py-cgj", "reply", {"note": "已修复路灯"}),
            ("reviewer1", "approve_reply", {}),
            ("callback1", "callback", {"is_resolved": True, "is_satisfied": True}),
            ("callback1", "close", {}),
        ]
        for username, action, body in life:
            order = call(
                f"{base}/api/orders/{number}/actions/{action}",
                body or {"note": ""},
                tokens[username],
            )
        assert order["status"] == "closed"
        assert (tmp_path / "hotline.sqlite3").exists()
        areas = call(f"{base}/api/areas?level=district", token=token)
        assert "华龙区" in {a["name"] for a in areas}
        newcomer_uses_open311(base, env, tmp_path)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in output
    assert "dispatcher1" in output and "hotline12345" in output
    assert "节假日安排尚未录入" in output  # 2027 is not in the pinned calendar package


def newcomer_uses_open311(base: str, env: dict, tmp_path) -> None:
    """What the README promises a newcomer: a key from the command line, the services
    listed by one client, a request with a photo posted by another, read back with its
    deadline and responsible unit."""
    from georeport import GeoReport

    from tests.intake.open311_shims import import_three

    key = hotline("apikey", "create", "新人的测试客户端", env=env).stdout.strip()
    assert key.startswith("ck_")
    root = f"{base}/open311/v2"
    services = GeoReport(root).get_service_list()
    assert any(s["service_code"] == "010103" for s in services)  # 路灯不亮
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    three = import_three().Three(root + "/", api_key=key)
    with photo.open("rb") as media:
        posted = three.post(
            "010103", address="华龙区中原路", description="路灯不亮一周了", media=media
        )
    read = three.request(posted[0]["service_request_id"])[0]
    assert read["agency_responsible"] and read["expected_datetime"]
    assert read["media_url"].startswith(root + "/media/")
