"""Small factories for tests: a tiny city with personas, and orders at any stage of life.

Personas make permission tests readable: an operator, a dispatcher, a handler of 城管局
and one of 住建局 who must see nothing of each other's orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.deadlines.models import LimitUnit, TimeLimitPolicy
from hotline.orders import service
from hotline.orders.models import WorkOrder
from hotline.orgs.models import (
    Area,
    Category,
    RequestType,
    ResponsibilityRule,
    Role,
    RoleGrant,
    Unit,
    Urgency,
    User,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """A local (Asia/Shanghai) moment written as 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def make_user(username: str, *roles: str, unit: Unit | None = None) -> User:
    user = User.objects.create_user(
        username=username, password="pw-for-tests", unit=unit, full_name=username
    )
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in roles])
    return User.objects.get(pk=user.pk)


@dataclass
class City:
    city: Area
    district: Area
    other_district: Area
    street: Area
    noise: Category
    city_building: Category
    water: Category
    cgj: Unit
    zjj: Unit
    water_company: Unit
    operator: User
    dispatcher: User
    handler_cgj: User
    handler_zjj: User
    reviewer: User
    callback: User
    supervisor: User
    inspector: User
    analyst: User
    editor: User
    admin: User

    def all_users(self) -> list[User]:
        return [
            self.operator,
            self.dispatcher,
            self.handler_cgj,
            self.handler_zjj,
            self.reviewer,
            self.callback,
            self.supervisor,
            self.inspector,
            self.analyst,
            self.editor,
            self.admin,
        ]


def make_policies(water: Category | None = None) -> None:
    rows = [
        ("sign", "", "", None, 1, LimitUnit.WORKING_DAYS, 0),
        ("sign", "", Urgency.CRITICAL, None, 1, LimitUnit.NATURAL_HOURS, 0),
        ("handle", "", "", None, 10, LimitUnit.WORKING_DAYS, 0),
        ("handle", RequestType.CONSULTATION, "", None, 2, LimitUnit.WORKING_DAYS, 0),
        ("handle", RequestType.COMPLAINT, "", None, 15, LimitUnit.WORKING_DAYS, 0),
        ("handle", "", Urgency.CRITICAL, None, 2, LimitUnit.NATURAL_HOURS, 2),
    ]
    if water:
        rows.append(("handle", "", "", water, 24, LimitUnit.NATURAL_HOURS, 0))
    for clock, request_type, urgency, category, amount, unit, priority in rows:
        TimeLimitPolicy.objects.create(
            name=f"{clock}-{request_type or 'any'}-{urgency or 'any'}-{category or 'any'}",
            clock=clock,
            request_type=request_type,
            urgency=urgency,
            category=category,
            amount=amount,
            unit=unit,
            priority=priority,
        )


def make_city() -> City:
    city = Area.objects.create(code="410900", name="濮阳市", level="city")
    district = Area.objects.create(code="410902", name="华龙区", level="district", parent=city)
    other = Area.objects.create(code="410922", name="清丰县", level="district", parent=city)
    street = Area.objects.create(
        code="410902001", name="中原路街道", level="street", parent=district
    )
    building = Category.objects.create(code="01", name="城乡建设")
    noise = Category.objects.create(code="0101", name="噪音扰民", parent=building)
    utilities = Category.objects.create(code="02", name="水电气暖")
    water = Category.objects.create(code="0201", name="停水", parent=utilities)
    cgj = Unit.objects.create(
        code="cgj", name="濮阳市城市管理局", short_name="市城管局", kind="department"
    )
    zjj = Unit.objects.create(
        code="zjj", name="濮阳市住房和城乡建设局", short_name="市住建局", kind="department"
    )
    water_company = Unit.objects.create(code="water", name="濮阳市自来水公司", kind="utility")
    rule = ResponsibilityRule.objects.create(
        number=1,
        matter="建筑施工噪音扰民",
        category=noise,
        lead_unit=cgj,
        legal_basis="《中华人民共和国噪声污染防治法》",
    )
    rule.areas.set([district])
    make_policies(water)
    return City(
        city=city,
        district=district,
        other_district=other,
        street=street,
        noise=noise,
        city_building=building,
        water=water,
        cgj=cgj,
        zjj=zjj,
        water_company=water_company,
        operator=make_user("operator", Role.OPERATOR),
        dispatcher=make_user("dispatcher", Role.DISPATCHER),
        handler_cgj=make_user("handler_cgj", Role.HANDLER, unit=cgj),
        handler_zjj=make_user("handler_zjj", Role.HANDLER, unit=zjj),
        reviewer=make_user("reviewer", Role.REVIEWER),
        callback=make_user("callback", Role.CALLBACK),
        supervisor=make_user("supervisor", Role.SUPERVISOR),
        inspector=make_user("inspector", Role.INSPECTOR),
        analyst=make_user("analyst", Role.ANALYST),
        editor=make_user("editor", Role.KNOWLEDGE_EDITOR),
        admin=make_user("admin", Role.ADMINISTRATOR),
    )


def register(c: City, now: datetime | None = None, **fields) -> WorkOrder:
    values = dict(
        title="工地夜间施工噪音",
        content="中原路某工地每晚十一点后仍在施工,影响休息。",
        request_type=RequestType.COMPLAINT,
        category=c.noise,
        area=c.street,
        caller_name="张三",
        caller_phone="13800138000",
    )
    values.update(fields)
    return service.register(service.Intake(**values), c.operator, now=now)


# The steps that bring a fresh order to each state, in order of the life.
PATH = [
    ("dispatch", "dispatcher", {"lead_unit": "cgj"}, ""),
    ("accept", "handler_cgj", {}, ""),
    ("reply", "handler_cgj", {}, "已责令工地停止夜间施工"),
    ("approve_reply", "reviewer", {}, ""),
    ("callback", "callback", {"is_resolved": True, "is_satisfied": True}, ""),
    ("close", "callback", {}, ""),
]
STATE_AFTER = {
    "registered": 0,
    "dispatched": 1,
    "accepted": 2,
    "replied": 3,
    "pending_callback": 4,
    "called_back": 5,
    "closed": 6,
}


def order_in(c: City, status: str, now: datetime | None = None, **fields) -> WorkOrder:
    """A fresh order walked along the main path up to ``status``."""
    order = register(c, now=now, **fields)
    for action, who, params, note in PATH[: STATE_AFTER[status]]:
        order = service.transition(order, action, getattr(c, who), note=note, now=now, **params)
    return order


# Closed orders of three matters, as a city's history to learn from: (category attribute,
# lead unit attribute, request type, phrases the callers use).
HISTORY = [
    ("noise", "cgj", RequestType.COMPLAINT, ["工地夜间施工", "噪音太大", "吵得睡不着", "打桩"]),
    ("water", "water_company", RequestType.HELP, ["停水", "自来水", "水压低", "水管爆裂"]),
    ("city_building", "zjj", RequestType.CONSULTATION, ["物业", "电梯", "维修基金", "房屋"]),
]


def closed_history(c: City, per_matter: int = 20, now: datetime | None = None) -> list[WorkOrder]:
    """``per_matter`` closed orders of each matter of ``HISTORY``, written directly (a
    history to learn from, not a lifecycle under test)."""
    import random

    from django.utils import timezone

    now = now or timezone.now()
    rng = random.Random(1)
    places = ["中原路", "胜利路", "某小区", "华龙区", "清丰县"]
    rows = []
    for matter, (category, unit, request_type, phrases) in enumerate(HISTORY):
        for i in range(per_matter):
            words = rng.sample(phrases, 2)
            text = f"{rng.choice(places)}{words[0]}，{words[1]}，请尽快处理。"
            rows.append(
                WorkOrder(
                    number=f"H{matter}{i:05d}",
                    channel="phone",
                    request_type=request_type,
                    category=getattr(c, category),
                    lead_unit=getattr(c, unit),
                    title=text[:12],
                    content=text,
                    status="closed",
                    registered_at=now,
                    registered_on=now.date(),
                    closed_at=now,
                    is_satisfied=i % 3 != 0,
                )
            )
    return WorkOrder.objects.bulk_create(rows)
