"""The administrator's settings screens: who may open them, lists, forms, and their effects."""

from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from hotline.deadlines.models import CalendarDay, TimeLimitPolicy
from hotline.orgs.models import Hotline, ResponsibilityRule, Role, RoleGrant, User
from tests.factories import at, make_user

pytestmark = pytest.mark.django_db


def as_admin(client, city):
    client.force_login(city.admin)
    return client


def errors_of(response, field: str) -> list[str]:
    """The errors shown next to ``field`` (the page renders them under the field's id)."""
    assert response.status_code == 200, response.status_code
    assert f'id="id_{field}_error"' in response.content.decode()
    return response.context["form"].errors[field]


def setup_urls(city) -> list[str]:
    rule = ResponsibilityRule.objects.get()
    policy = TimeLimitPolicy.objects.first()
    day = CalendarDay.objects.create(date=date(2026, 12, 31), is_workday=False, name="测试")
    line = Hotline.objects.create(code="12319", name="城建热线")
    return [
        reverse("console:settings"),
        reverse("console:settings-rules"),
        reverse("console:settings-rule-new"),
        reverse("console:settings-rule-edit", args=[rule.pk]),
        reverse("console:settings-policies"),
        reverse("console:settings-policy-new"),
        reverse("console:settings-policy-edit", args=[policy.pk]),
        reverse("console:settings-policy-preview") + "?request_type=complaint&urgency=normal",
        reverse("console:settings-calendar") + "?year=2026",
        reverse("console:settings-calendar-new"),
        reverse("console:settings-calendar-edit", args=[day.pk]),
        reverse("console:settings-users") + "?role=handler",
        reverse("console:settings-user-new"),
        reverse("console:settings-user-edit", args=[city.handler_cgj.pk]),
        reverse("console:settings-user-password", args=[city.handler_cgj.pk]),
        reverse("console:settings-hotlines"),
        reverse("console:settings-hotline-new"),
        reverse("console:settings-hotline-edit", args=[line.pk]),
    ]


def test_only_the_administrator_opens_the_settings_screens(client, city):
    for user in city.all_users():
        client.force_login(user)
        status = client.get(reverse("console:settings")).status_code
        assert status == (200 if user == city.admin else 403), (user.username, status)
    urls = setup_urls(city)
    for user in [city.admin, city.operator, city.handler_cgj]:
        client.force_login(user)
        for url in urls:
            status = client.get(url).status_code
            assert status == (200 if user == city.admin else 403), (user.username, url, status)
    posts = [
        reverse("console:settings-hotline-switch", args=[Hotline.objects.get().pk]),
        reverse("console:settings-calendar-delete", args=[CalendarDay.objects.get().pk]),
        reverse("console:settings-rule-new"),
    ]
    client.force_login(city.dispatcher)
    for url in posts:
        assert client.post(url, {"is_active": "off"}).status_code == 403, url
    assert Hotline.objects.get().is_active and CalendarDay.objects.exists()


def test_settings_need_a_login(client, city):
    response = client.get(reverse("console:settings-users"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_settings_home_links_every_screen_and_django_admin(client, city):
    page = as_admin(client, city).get(reverse("console:settings")).content.decode()
    for name in ["rules", "policies", "calendar", "users", "hotlines"]:
        assert reverse(f"console:settings-{name}") in page
    assert 'href="/admin/"' in page


# Responsibility list


def rule_data(city, **fields):
    data = {
        "number": "2",
        "matter": "小区供水水压不足",
        "category": city.water.pk,
        "lead_unit": city.water_company.pk,
        "co_units": [city.zjj.pk],
        "areas": [city.district.pk, city.street.pk],
        "legal_basis": "《城市供水条例》",
        "keywords": "水压，停水、 自来水",
        "is_active": "on",
    }
    data.update(fields)
    return data


def test_administrator_adds_and_edits_a_rule(client, city):
    as_admin(client, city)
    response = client.post(reverse("console:settings-rule-new"), rule_data(city))
    assert response.status_code == 302
    rule = ResponsibilityRule.objects.get(number=2)
    assert rule.lead_unit == city.water_company and list(rule.co_units.all()) == [city.zjj]
    assert set(rule.areas.all()) == {city.district, city.street}
    assert rule.keywords == "水压 停水 自来水"

    edit = reverse("console:settings-rule-edit", args=[rule.pk])
    changed = rule_data(city, matter="供水水压不足", co_units=[], areas=[])
    del changed["is_active"]  # the box unticked
    client.post(edit, changed)
    rule.refresh_from_db()
    assert rule.matter == "供水水压不足" and not rule.co_units.exists() and not rule.is_active


def test_a_duplicate_rule_number_is_refused_next_to_the_number(client, city):
    response = as_admin(client, city).post(
        reverse("console:settings-rule-new"), rule_data(city, number="1")
    )
    assert "2" in errors_of(response, "number")[0]  # the next free number
    assert ResponsibilityRule.objects.count() == 1


def test_the_lead_unit_cannot_also_be_a_co_unit(client, city):
    response = as_admin(client, city).post(
        reverse("console:settings-rule-new"), rule_data(city, co_units=[city.water_company.pk])
    )
    assert errors_of(response, "co_units")


def test_rules_are_searched_and_filtered(client, city):
    as_admin(client, city)
    client.post(reverse("console:settings-rule-new"), rule_data(city))
    url = reverse("console:settings-rules")

    def numbers(**params):
        return [rule.number for rule in client.get(url, params).context["page"].object_list]

    assert numbers() == [1, 2]
    assert numbers(q="噪音") == [1]
    assert numbers(q="自来水") == [2]  # a keyword
    assert numbers(q="住建") == [2]  # a co-unit's name
    assert numbers(category=city.city_building.code) == [1]  # a category covers its subtree
    assert numbers(unit=city.zjj.code) == [2]
    assert numbers(state="inactive") == []


# Time limits and the preview


def policy_data(**fields):
    data = {
        "name": "举报类办理时限",
        "clock": "handle",
        "request_type": "report",
        "urgency": "",
        "category": "",
        "area": "",
        "amount": "20",
        "unit": "working_days",
        "priority": "0",
        "is_active": "on",
    }
    data.update(fields)
    return data


def test_administrator_adds_and_edits_a_time_limit(client, city):
    as_admin(client, city)
    assert client.post(reverse("console:settings-policy-new"), policy_data()).status_code == 302
    policy = TimeLimitPolicy.objects.get(name="举报类办理时限")
    assert (policy.request_type, policy.amount, policy.category) == ("report", 20, None)
    edit = reverse("console:settings-policy-edit", args=[policy.pk])
    client.post(edit, policy_data(amount="15", category=city.noise.pk))
    policy.refresh_from_db()
    assert policy.amount == 15 and policy.category == city.noise


def test_a_zero_time_limit_is_refused_next_to_the_amount(client, city):
    response = as_admin(client, city).post(
        reverse("console:settings-policy-new"), policy_data(amount="0")
    )
    assert errors_of(response, "amount")


def test_the_preview_gives_the_deadlines_of_the_api_preview(client, city):
    as_admin(client, city)
    question = {"request_type": "help", "urgency": "normal", "category": "0201", "area": "410902"}
    api = client.get("/api/deadlines/preview", {**question, "start": "2026-02-13T10:00:00+08:00"})
    screen = client.get(
        reverse("console:settings-policy-preview"),
        {**question, "start": "2026-02-13T10:00"},
        headers={"HX-Request": "true"},
    )
    expected, preview = api.json(), screen.context["preview"]
    assert preview["sign_due_at"] == datetime.fromisoformat(expected["sign_due_at"])
    assert preview["handle_due_at"] == datetime.fromisoformat(expected["handle_due_at"])
    assert [answer["policy"].name for answer in preview["clocks"]] == [
        expected["sign_policy"],
        expected["handle_policy"],
    ]
    page = screen.content.decode()
    assert "2026-02-14 10:00" in page  # 24 hours for water, shown in Shanghai time
    assert expected["handle_policy"] in page and "<html" not in page  # htmx gets the card alone


def test_the_preview_warns_for_a_year_without_holidays(client, city):
    response = as_admin(client, city).get(
        reverse("console:settings-policy-preview"),
        {"request_type": "complaint", "urgency": "normal", "start": "2099-03-02T10:00"},
    )
    assert len(response.context["preview"]["warnings"]) == 1
    assert "2099" in response.context["preview"]["warnings"][0]


def test_the_preview_says_when_no_time_limit_applies(client, city):
    TimeLimitPolicy.objects.filter(clock="sign").update(is_active=False)
    response = as_admin(client, city).get(
        reverse("console:settings-policy-preview"), {"request_type": "help", "urgency": "normal"}
    )
    assert response.context["preview"] is None
    assert response.context["preview_form"].non_field_errors()


# Holidays


def preview_handle_due_at(client) -> datetime:
    response = client.get(
        reverse("console:settings-policy-preview"),
        {"request_type": "consultation", "urgency": "normal", "start": "2026-11-23T10:00"},
    )
    return response.context["preview"]["handle_due_at"]


def test_a_calendar_day_entered_on_the_screen_moves_the_deadline_at_once(client, city):
    as_admin(client, city)
    assert preview_handle_due_at(client) == at("2026-11-25 23:59:59")  # 2 working days
    response = client.post(
        reverse("console:settings-calendar-new"),
        {"date": "2026-11-24", "is_workday": "False", "name": "本地假日"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?year=2026")
    assert preview_handle_due_at(client) == at("2026-11-26 23:59:59")

    day = CalendarDay.objects.get()
    client.post(
        reverse("console:settings-calendar-edit", args=[day.pk]),
        {"date": "2026-11-24", "is_workday": "True", "name": "本地假日取消"},
    )
    assert preview_handle_due_at(client) == at("2026-11-25 23:59:59")
    client.post(reverse("console:settings-calendar-delete", args=[day.pk]))
    assert not CalendarDay.objects.exists()
    assert preview_handle_due_at(client) == at("2026-11-25 23:59:59")


def test_a_local_holiday_keeps_the_national_holidays_of_a_known_year(client, city):
    as_admin(client, city).post(
        reverse("console:settings-calendar-new"),
        {"date": "2026-11-24", "is_workday": "False", "name": "本地假日"},
    )
    page = client.get(reverse("console:settings-calendar"), {"year": "2026"})
    assert (date(2026, 10, 1), date(2026, 10, 7), 7) in page.context["holidays"]  # 国庆节


def test_a_day_entered_twice_is_refused_next_to_the_date(client, city):
    CalendarDay.objects.create(date=date(2026, 11, 24), is_workday=False)
    response = as_admin(client, city).post(
        reverse("console:settings-calendar-new"), {"date": "2026-11-24", "is_workday": "True"}
    )
    assert errors_of(response, "date")


def test_the_calendar_lists_a_year_and_says_whether_it_is_known(client, city):
    as_admin(client, city)
    known = client.get(reverse("console:settings-calendar"), {"year": "2026"})
    assert known.context["package_knows"] and list(known.context["days"]) == []
    assert date(2026, 2, 14) in known.context["working_weekend_days"]
    assert (date(2026, 10, 1), date(2026, 10, 7), 7) in known.context["holidays"]  # 国庆节
    CalendarDay.objects.create(date=date(2026, 11, 24), is_workday=False, name="本地假日")
    listed = client.get(reverse("console:settings-calendar"), {"year": "2026"})
    assert [day.name for day in listed.context["days"]] == ["本地假日"]

    unknown = client.get(reverse("console:settings-calendar"), {"year": "2099"})
    assert not unknown.context["is_known"] and list(unknown.context["days"]) == []
    assert 'role="alert"' in unknown.content.decode()


# Users and roles


def new_user_data(city, **fields):
    data = {
        "username": "handler_sw",
        "full_name": "钱水务",
        "phone": "13900001111",
        "unit": city.water_company.pk,
        "roles": [Role.HANDLER, Role.REVIEWER],
        "password": "Shui-wu-2026!",
        "password_again": "Shui-wu-2026!",
    }
    data.update(fields)
    return data


def test_administrator_creates_a_user_who_can_log_in_with_the_roles_given(client, city):
    response = as_admin(client, city).post(
        reverse("console:settings-user-new"), new_user_data(city)
    )
    assert response.status_code == 302
    user = User.objects.get(username="handler_sw")
    assert user.roles == {Role.HANDLER, Role.REVIEWER} and user.unit == city.water_company
    assert Client().login(username="handler_sw", password="Shui-wu-2026!")


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"unit": ""}, "unit"),  # a handler without a unit
        ({"password_again": "something-else-1"}, "password_again"),
        ({"password": "123", "password_again": "123"}, "password"),  # too short and common
        ({"username": "dispatcher"}, "username"),  # taken
        ({"roles": []}, "roles"),
    ],
)
def test_a_wrong_new_user_is_refused_next_to_the_field(client, city, fields, field):
    response = as_admin(client, city).post(
        reverse("console:settings-user-new"), new_user_data(city, **fields)
    )
    assert errors_of(response, field)
    assert not User.objects.filter(full_name="钱水务").exists()


def test_administrator_changes_roles_and_unit_of_a_user(client, city):
    edit = reverse("console:settings-user-edit", args=[city.dispatcher.pk])
    as_admin(client, city).post(
        edit,
        {
            "full_name": "派单员甲",
            "phone": "",
            "unit": city.cgj.pk,
            "roles": [Role.HANDLER, Role.CALLBACK],
            "is_active": "on",
        },
    )
    user = User.objects.get(pk=city.dispatcher.pk)
    assert user.roles == {Role.HANDLER, Role.CALLBACK} and user.unit == city.cgj
    assert user.full_name == "派单员甲" and user.username == "dispatcher"


def test_a_deactivated_user_can_no_longer_log_in(client, city):
    handler = Client()
    handler.force_login(city.handler_cgj)
    assert handler.get("/console/inbox/").status_code == 200
    edit = reverse("console:settings-user-edit", args=[city.handler_cgj.pk])
    as_admin(client, city).post(
        edit,
        {
            "full_name": "handler_cgj",
            "phone": "",
            "unit": city.cgj.pk,
            "roles": [Role.HANDLER],
        },
    )
    assert not User.objects.get(pk=city.handler_cgj.pk).is_active
    assert not Client().login(username="handler_cgj", password="pw-for-tests")
    assert handler.get("/console/inbox/").status_code == 302  # the open session ends too


def test_the_administrator_cannot_lock_themselves_out(client, city):
    edit = reverse("console:settings-user-edit", args=[city.admin.pk])
    response = as_admin(client, city).post(
        edit, {"full_name": "admin", "phone": "", "unit": "", "roles": [Role.OPERATOR]}
    )
    assert errors_of(response, "roles") and errors_of(response, "is_active")
    assert User.objects.get(pk=city.admin.pk).has_role(Role.ADMINISTRATOR)


def test_administrator_resets_a_password(client, city):
    url = reverse("console:settings-user-password", args=[city.operator.pk])
    as_admin(client, city)
    mismatch = client.post(
        url, {"new_password1": "Xin-mi-ma-2026", "new_password2": "Xin-mi-ma-2027"}
    )
    assert errors_of(mismatch, "new_password2")
    client.post(url, {"new_password1": "Xin-mi-ma-2026", "new_password2": "Xin-mi-ma-2026"})
    assert Client().login(username="operator", password="Xin-mi-ma-2026")
    assert not Client().login(username="operator", password="pw-for-tests")


def test_users_are_searched_and_filtered_by_role_and_unit(client, city):
    make_user("reviewer_cgj", Role.REVIEWER, unit=city.cgj)
    as_admin(client, city)
    url = reverse("console:settings-users")

    def names(**params):
        return [user.username for user in client.get(url, params).context["page"].object_list]

    assert names(role=Role.REVIEWER) == ["reviewer", "reviewer_cgj"]
    assert names(unit=city.cgj.code) == ["handler_cgj", "reviewer_cgj"]
    assert names(q="cgj", role=Role.HANDLER) == ["handler_cgj"]
    assert RoleGrant.objects.filter(user__username="reviewer_cgj").count() == 1


# Hotlines and special lines


def special_line_data(city, **fields):
    data = {
        "name": "防汛专线",
        "code": "12345-8",
        "unit": city.water_company.pk,
        "starts_at": "2026-07-01T08:00",
        "ends_at": "2026-09-30T20:00",
        "description": "汛期积水、内涝求助",
    }
    data.update(fields)
    return data


def test_administrator_sets_up_a_special_line_in_one_form(client, city):
    response = as_admin(client, city).post(
        reverse("console:settings-hotline-new"), special_line_data(city)
    )
    assert response.status_code == 302
    line = Hotline.objects.get(code="12345-8")
    assert line.kind == Hotline.Kind.SPECIAL and line.is_active
    assert line.starts_at == at("2026-07-01 08:00") and line.ends_at == at("2026-09-30 20:00")
    assert "防汛专线" in client.get(reverse("console:settings-hotlines")).content.decode()


def test_a_special_line_that_closes_before_it_opens_is_refused_next_to_the_end(client, city):
    response = as_admin(client, city).post(
        reverse("console:settings-hotline-new"),
        special_line_data(city, ends_at="2026-06-30T08:00"),
    )
    assert errors_of(response, "ends_at")
    assert not Hotline.objects.exists()


def test_a_line_is_open_only_within_its_window_and_while_switched_on(city):
    merged = Hotline.objects.create(code="12315", name="消费者投诉热线")
    flood = Hotline.objects.create(
        code="12345-8",
        name="防汛专线",
        kind=Hotline.Kind.SPECIAL,
        starts_at=at("2026-07-01 08:00"),
        ends_at=at("2026-09-30 20:00"),
    )
    Hotline.objects.create(code="12319", name="城建热线", is_active=False)

    def open_at(moment):
        return list(Hotline.open_now(moment).values_list("code", flat=True))

    assert open_at(at("2026-06-30 23:00")) == ["12315"]
    assert open_at(at("2026-07-01 08:00")) == ["12315", "12345-8"]
    assert open_at(at("2026-09-30 20:00")) == ["12315"]
    assert flood.is_open(at("2026-08-01 12:00")) and not flood.is_open(at("2026-10-01 12:00"))
    assert merged.is_open() and "12315" in Hotline.open_now().values_list("code", flat=True)


def test_one_button_switches_a_line_off_and_on(client, city):
    line = Hotline.objects.create(code="12315", name="消费者投诉热线")
    url = reverse("console:settings-hotline-switch", args=[line.pk])
    as_admin(client, city)
    assert client.post(url, {"is_active": "off"}).status_code == 302
    assert not Hotline.objects.get().is_active and not Hotline.open_now().exists()
    assert client.get("/api/hotlines").json() == []
    client.post(url, {"is_active": "off"})  # a second click changes nothing
    assert not Hotline.objects.get().is_active
    client.post(url, {"is_active": "on"})
    assert Hotline.objects.get().is_active
    assert client.get("/api/hotlines").json() == [{"code": "12315", "name": "消费者投诉热线"}]
    assert client.get(url).status_code == 405


def test_administrator_edits_a_merged_hotline(client, city):
    line = Hotline.objects.create(code="12315", name="消费者投诉热线")
    as_admin(client, city).post(
        reverse("console:settings-hotline-edit", args=[line.pk]),
        {
            "code": "12315",
            "name": "市场监管热线",
            "kind": "merged",
            "unit": city.zjj.pk,
            "starts_at": "",
            "ends_at": "",
            "description": "",
            "is_active": "on",
        },
    )
    line.refresh_from_db()
    assert (line.name, line.kind, line.unit) == ("市场监管热线", "merged", city.zjj)
    assert line.starts_at is None and line.is_active
