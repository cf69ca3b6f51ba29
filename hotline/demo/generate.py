"""Realistic orders for load and analytics: ``hotline demo generate --orders N``.

Each order walks the lifecycle table step by step: every action is checked with the
same ``check_allowed`` as a live request and the deadlines come from the same clock code
and policies; only the writes are batched (bulk inserts of orders and history rows), so
that a million orders take minutes rather than hours.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from hotline.deadlines.calendar import local
from hotline.deadlines.policies import load_policies
from hotline.orders.lifecycle import REGISTER, TRANSITIONS, Status
from hotline.orders.models import (
    Channel,
    Closure,
    EmergencyService,
    OrderEvent,
    OrderSearch,
    WorkOrder,
)
from hotline.orders.search import document
from hotline.orders.service import (
    TRACKED_FIELDS,
    apply_clock,
    check_allowed,
    jsonable,
    next_numbers,
)
from hotline.orgs.models import (
    Area,
    Hotline,
    RequestType,
    ResponsibilityRule,
    Role,
    Urgency,
    User,
)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海燕鹏飞"
ASKS = [
    "希望尽快处理。",
    "请相关部门核实处理。",
    "要求给个说法。",
    "希望有关部门尽快解决。",
    "请尽快安排人员到现场查看。",
    "反映多次未解决,希望重视。",
]
SINCE = ["最近一周", "三天来", "从上个月开始", "今天上午", "近半个月", "昨天晚上"]
TYPES = [
    (RequestType.COMPLAINT, 36),
    (RequestType.HELP, 22),
    (RequestType.CONSULTATION, 25),
    (RequestType.SUGGESTION, 8),
    (RequestType.REPORT, 8),
    (RequestType.OUT_OF_SCOPE, 1),
]
URGENCIES = [(Urgency.NORMAL, 92), (Urgency.URGENT, 7), (Urgency.CRITICAL, 1)]
CHANNELS = [
    (Channel.PHONE, 70),
    (Channel.WEB, 10),
    (Channel.WECHAT, 10),
    (Channel.APP, 6),
    (Channel.TRANSFER, 3),
    (Channel.EMAIL, 1),
]
# Calls by hour of day (local), a centre's usual curve.
HOURS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 13, 9, 10, 13, 14, 12, 10, 8, 7, 5, 4, 3, 2]


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class World:
    """What the generator draws from, loaded once."""

    rules: list[ResponsibilityRule]
    rule_areas: dict[int, list[Area]]
    streets_by_district: dict[str, list[Area]]
    districts: list[Area]
    people: dict[str, list[User]]
    handlers: dict[int, User]
    policies: list
    hotlines: list[int]  # merged hotlines (not 12345 itself) that pass requests on


def load_world() -> World:
    rules = list(
        ResponsibilityRule.objects.filter(is_active=True)
        .select_related("category", "lead_unit")
        .prefetch_related("areas")
    )
    areas = list(Area.objects.all())
    districts = [a for a in areas if a.level == Area.Level.DISTRICT]
    streets: dict[str, list[Area]] = {d.code: [] for d in districts}
    for area in areas:
        if area.level in (Area.Level.STREET, Area.Level.COMMUNITY):
            district = area.path.split("/")[1]
            streets.setdefault(district, []).append(area)
    people: dict[str, list[User]] = {}
    handlers: dict[int, User] = {}
    for user in User.objects.prefetch_related("role_grants"):
        for role in user.roles:
            people.setdefault(role, []).append(user)
        if user.unit_id and user.has_role(Role.HANDLER):
            handlers.setdefault(user.unit_id, user)
    return World(
        rules=rules,
        rule_areas={r.pk: list(r.areas.all()) for r in rules},
        streets_by_district=streets,
        districts=districts,
        people=people,
        handlers=handlers,
        policies=load_policies(),
        hotlines=list(Hotline.objects.exclude(code="12345").values_list("pk", flat=True)),
    )


class Walk:
    """One order's walk through the lifecycle, collecting its history rows."""

    def __init__(self, order: WorkOrder, world: World, now: datetime, rng: random.Random):
        self.order, self.world, self.now, self.rng = order, world, now, rng
        self.at = order.registered_at
        self.events: list[tuple] = []  # history rows, as insert_events() takes them

    def actor(self, action: str) -> User | None:
        row = TRANSITIONS[action]
        if row.own_unit:
            return self.world.handlers.get(self.order.lead_unit_id) or self.stand_in_handler()
        for role in sorted(row.roles):
            if self.world.people.get(role):
                return self.rng.choice(self.world.people[role])
        return None

    def stand_in_handler(self) -> User:
        """A handler object bound to the order's unit, for units without demo users."""
        user = User(username="handler", unit_id=self.order.lead_unit_id)
        user._roles = frozenset({Role.HANDLER})
        return user

    def step(
        self,
        action: str,
        after: timedelta,
        change: Callable[[WorkOrder], None] | None = None,
        note: str = "",
        days: int = 0,
    ) -> bool:
        """Take ``action`` ``after`` the previous step; False when that moment is still ahead."""
        at = self.at + max(after, timedelta(minutes=1))  # a late step still comes after
        if at > self.now:
            return False
        order, actor = self.order, self.actor(action)
        check_allowed(order, action, actor)
        row = TRANSITIONS[action]
        before = {name: getattr(order, name) for name in TRACKED_FIELDS}
        if change:
            change(order)
        if row.target is not None:
            order.status = row.target
        apply_clock(order, row.clock, at, policies=self.world.policies, days=days)
        changes = {
            name: [jsonable(before[name]), jsonable(getattr(order, name))]
            for name in TRACKED_FIELDS
            if before[name] != getattr(order, name)
        }
        self.events.append(
            (
                action,
                before["status"],
                order.status,
                actor.pk if actor else None,
                actor.unit_id if actor else None,
                at,
                note,
                changes,
            )
        )
        order.version += 1
        self.at = at
        return True


def minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def walk(
    order: WorkOrder, world: World, rule: ResponsibilityRule, now: datetime, rng: random.Random
) -> Walk:
    """Drive ``order`` as far through its life as the time since registration allows."""
    w = Walk(order, world, now, rng)
    roll = rng.random()
    if order.request_type == RequestType.OUT_OF_SCOPE or (
        order.request_type == RequestType.CONSULTATION and roll < 0.6
    ):

        def direct(o):
            o.reply = "已根据知识库答复来电人。"
            o.closure, o.closed_at = Closure.DIRECT, w.at + timedelta(minutes=4)

        w.step("resolve_directly", minutes(rng, 2, 6), direct, note="已根据知识库答复来电人。")
        return w
    if roll < 0.005:

        def transfer(o):
            o.transferred_to = rng.choice(EmergencyService.values)
            o.closed_at = w.at

        w.step("transfer_emergency", minutes(rng, 1, 3), transfer, note="涉及人身安全,已转警。")
        return w

    def dispatch(o):
        o.lead_unit = rule.lead_unit
        o.dispatched_at = w.at + timedelta(minutes=1)

    if not w.step("dispatch", minutes(rng, 5, 90), dispatch, note=f"依据权责清单第{rule.number}项"):
        return w
    if rng.random() < 0.04:
        if not w.step(
            "return_order",
            minutes(rng, 30, 600),
            lambda o: setattr(o, "return_count", o.return_count + 1),
            note="非我单位职责",
        ):
            return w
        if not w.step("redispatch", minutes(rng, 20, 240), dispatch, note="改派"):
            return w
    sign_limit = order.sign_due_at - w.at

    def accept(o):
        o.accepted_at = w.at
        o.is_accepted_on_time = w.at <= o.sign_due_at

    late = rng.random() < 0.06
    delay = sign_limit * (rng.uniform(1.05, 2) if late else rng.uniform(0.02, 0.9))
    if not w.step("accept", delay, accept):
        return w
    handle_left = order.handle_due_at - w.at
    if rng.random() < 0.05:
        if not w.step("request_extension", handle_left * 0.5, note="需协调多个部门,申请延期"):
            return w
        days = rng.choice([3, 5, 10])
        if not w.step("approve_extension", minutes(rng, 30, 600), note="同意延期", days=days):
            return w
        handle_left = order.handle_due_at - w.at
    late = rng.random() < 0.05
    delay = handle_left * (rng.uniform(1.05, 1.8) if late else rng.uniform(0.1, 0.95))
    text = "经现场核查,已安排人员处理完毕,并向来电人说明情况。"

    def reply(o):
        o.reply, o.replied_at = text, w.at
        o.is_replied_on_time = w.at <= o.handle_due_at

    if not w.step("reply", delay, reply, note=text):
        return w
    if not w.step("approve_reply", minutes(rng, 30, 900)):
        return w
    reached = rng.random() < 0.93

    def callback(o):
        o.callback_attempts += 1
        o.is_resolved = rng.random() < 0.92
        o.is_satisfied = o.is_resolved and rng.random() < 0.97 or rng.random() < 0.3

    if reached:
        if not w.step("callback", minutes(rng, 60, 2880), callback, note="回访来电人"):
            return w
    else:
        for _attempt in range(3):
            if not w.step(
                "callback_failed",
                minutes(rng, 60, 1440),
                lambda o: setattr(o, "callback_attempts", o.callback_attempts + 1),
                note="无人接听",
            ):
                return w

    def close(o):
        o.closure = Closure.CALLBACK if reached else Closure.UNREACHABLE
        o.closed_at = w.at

    w.step("close", minutes(rng, 5, 120), close)
    return w


def insert_events(rows: list[tuple]) -> None:
    """Write history rows ``(order_id, action, from, to, actor_id, unit_id, at, note, changes)``.

    A plain ``executemany``: for millions of rows, the model layer's per-object work costs
    more than the database does. Values are prepared by the model's own fields.
    """
    at_field = OrderEvent._meta.get_field("at")
    changes_field = OrderEvent._meta.get_field("changes")
    columns = "order_id, action, from_status, to_status, actor_id, actor_unit_id, at, note, changes"
    sql = f"INSERT INTO {OrderEvent._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * 9)})"
    prepared = [
        (
            *row[:6],
            at_field.get_db_prep_save(row[6], connection),
            row[7],
            changes_field.get_db_prep_save(row[8], connection),
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def make_order(
    world: World, rule: ResponsibilityRule, at: datetime, rng: random.Random
) -> WorkOrder:
    areas = world.rule_areas[rule.pk]
    district = rng.choice(areas) if areas else rng.choice(world.districts)
    places = world.streets_by_district.get(district.code.split("/")[0]) or [district]
    area = rng.choice(places)
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice([1, 2])))
    phone = "1" + rng.choice("3456789") + "".join(rng.choices("0123456789", k=9))
    place = f"{area.name}{rng.randint(1, 200)}号"
    content = (
        f"来电人反映:{place}附近{rng.choice(SINCE)}存在{rule.matter}问题,"
        f"影响周边群众正常生活。{rng.choice(ASKS)}"
    )
    request_type = weighted(rng, TYPES)
    channel = weighted(rng, CHANNELS)
    # About one request in twelve reaches 12345 through a merged line (12315, 12319 ...).
    hotline = rng.choice(world.hotlines) if world.hotlines and rng.random() < 0.08 else None
    return WorkOrder(
        channel=channel,
        hotline_id=hotline,
        source_ref=f"T{rng.getrandbits(48):012x}" if channel == Channel.TRANSFER else "",
        caller_name=name if rng.random() < 0.8 else "",
        caller_phone=phone,
        is_confidential=rng.random() < 0.03,
        request_type=request_type,
        category=rule.category,
        title=f"{area.name}{rule.matter}",
        content=content,
        address=place,
        area=area,
        lat=(area.lat + rng.uniform(-0.005, 0.005)) if area.lat else None,
        lng=(area.lng + rng.uniform(-0.005, 0.005)) if area.lng else None,
        urgency=weighted(rng, URGENCIES),
        status=Status.REGISTERED,
        registered_at=at,
        registered_on=local(at).date(),
    )


def random_moment(rng: random.Random, now: datetime, days: int) -> datetime:
    day = local(now).date() - timedelta(days=int(rng.random() ** 1.3 * days))
    hour = rng.choices(range(24), HOURS)[0]
    moment = datetime.combine(day, datetime.min.time(), tzinfo=local(now).tzinfo) + timedelta(
        hours=hour, seconds=rng.randint(0, 3599)
    )
    return min(moment, now - timedelta(minutes=1))


def generate(
    count: int,
    *,
    days: int = 365,
    seed: int = 12345,
    batch: int = 5000,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``count`` orders registered over the last ``days`` days; returns the count."""
    now = now or timezone.now()
    rng = random.Random(seed)
    world = load_world()
    if not world.rules:
        raise RuntimeError("load the demo city first (hotline demo load)")
    operators = world.people.get(Role.OPERATOR, [None])
    written = 0
    while written < count:
        size = min(batch, count - written)
        moments = sorted(random_moment(rng, now, days) for _ in range(size))
        walks = []
        for at in moments:
            rule = rng.choice(world.rules)
            order = make_order(world, rule, at, rng)
            order.created_by = rng.choice(operators)
            walks.append(walk(order, world, rule, now, rng))
        with transaction.atomic():
            by_day: dict = {}
            for w in walks:
                by_day.setdefault(w.order.registered_on, []).append(w.order)
            for day, orders in by_day.items():
                for order, number in zip(orders, next_numbers(day, len(orders)), strict=True):
                    order.number = number
            WorkOrder.objects.bulk_create([w.order for w in walks], batch_size=500)
            OrderSearch.objects.bulk_create(
                [OrderSearch(order=w.order, terms=document(w.order)) for w in walks],
                batch_size=500,
            )
            rows = []
            for w in walks:
                creator = w.order.created_by
                rows.append(
                    (
                        w.order.pk,
                        REGISTER,
                        "",
                        Status.REGISTERED,
                        creator.pk if creator else None,
                        None,
                        w.order.registered_at,
                        "",
                        {},
                    )
                )
                rows.extend((w.order.pk, *event) for event in w.events)
            insert_events(rows)
        written += size
        if progress:
            progress(size)
    return written
