"""Accessibility of the main screens: axe-core's rules (labels, contrast, names, roles) and
keyboard reachability. axe-core ships inside the axe-playwright-python package."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from hotline.orders import service
from hotline.orgs.models import Area, Category, User

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = [
    ("operator1", "/console/intake/"),
    ("dispatcher1", "/console/dispatch/?order={number}"),
    ("dispatcher1", "/console/orders/"),
    ("dispatcher1", "/console/orders/{number}/"),
    ("supervisor1", "/console/supervise/"),
    ("admin", "/console/settings/"),
]


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_screens_have_no_serious_accessibility_violations(open_session):
    order = service.register(
        service.Intake(
            title="夜间施工噪音",
            content="工地夜间施工",
            request_type="complaint",
            category=Category.objects.get(name="建筑施工噪声"),
            area=Area.objects.get(name="华龙区"),
        ),
        User.objects.get(username="operator1"),
    )
    found = {}
    for username, path in SCREENS:
        session = open_session(username)
        session.goto(path.format(number=order.number))
        session.page.wait_for_load_state("networkidle")
        problems = violations(session.page)
        if problems:
            found[path] = problems
    assert not found, found


def test_login_page_is_accessible(browser, live_server, demo_city):
    page = browser.new_page(locale="zh-CN")
    page.goto(live_server.url + "/accounts/login/")
    assert not violations(page)
    page.close()


def test_the_intake_form_is_reachable_by_keyboard_in_order(open_session):
    page = open_session("operator1").page
    page.goto(page.url.split("/console")[0] + "/console/intake/")
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.name"))
    wanted = ["id_caller_phone", "id_title", "id_content", "id_area", "id_address", "decision"]
    positions = [reached.index(name) for name in wanted]
    assert positions == sorted(positions), reached


def test_the_check_itself_catches_an_unlabelled_field_and_poor_contrast(browser):
    page = browser.new_page()
    page.set_content(
        '<html lang="zh-CN"><title>t</title><main><input type="text">'
        '<p style="color:#ccc;background:#fff">浅色文字</p></main></html>'
    )
    found = " ".join(violations(page))
    assert "label" in found and "color-contrast" in found
    page.close()
