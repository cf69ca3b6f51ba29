"""The demo city (濮阳市): areas, units, categories, responsibility list, time limits, users.

Loaded on the first start of an empty database, so that a newcomer sees a city they
recognise. The data lives in ``data/*.json``; the time limits and the demo users here.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from hotline.deadlines.models import LimitUnit, TimeLimitPolicy
from hotline.orgs.models import (
    Area,
    Category,
    Hotline,
    Place,
    RequestType,
    ResponsibilityRule,
    Role,
    RoleGrant,
    Unit,
    Urgency,
    User,
)

DATA = Path(__file__).parent / "data"
DEMO_PASSWORD = "hotline12345"

# Time limits in force in many cities (Guangdong practice): sign-for within 1 working day;
# 咨询 2, 求助/建议 10, 投诉/举报 15 working days; urgent 24 hours, critical 2 hours
# (Beijing practice for danger to life or property); water, power, gas and heating 24 hours.
POLICIES = [
    # name, clock, request_type, urgency, category name, amount, unit, priority
    ("签收时限(一般)", "sign", "", "", None, 1, LimitUnit.WORKING_DAYS, 0),
    ("签收时限(紧急)", "sign", "", Urgency.URGENT, None, 2, LimitUnit.NATURAL_HOURS, 0),
    ("签收时限(特急)", "sign", "", Urgency.CRITICAL, None, 1, LimitUnit.NATURAL_HOURS, 0),
    ("办理时限(默认)", "handle", "", "", None, 10, LimitUnit.WORKING_DAYS, 0),
    ("咨询类办理时限", "handle", RequestType.CONSULTATION, "", None, 2, LimitUnit.WORKING_DAYS, 0),
    ("求助类办理时限", "handle", RequestType.HELP, "", None, 10, LimitUnit.WORKING_DAYS, 0),
    ("建议类办理时限", "handle", RequestType.SUGGESTION, "", None, 10, LimitUnit.WORKING_DAYS, 0),
    ("投诉类办理时限", "handle", RequestType.COMPLAINT, "", None, 15, LimitUnit.WORKING_DAYS, 0),
    ("举报类办理时限", "handle", RequestType.REPORT, "", None, 15, LimitUnit.WORKING_DAYS, 0),
    ("水电气暖类办理时限", "handle", "", "", "水电气暖", 24, LimitUnit.NATURAL_HOURS, 0),
    ("紧急件办理时限", "handle", "", Urgency.URGENT, None, 24, LimitUnit.NATURAL_HOURS, 1),
    ("特急件办理时限", "handle", "", Urgency.CRITICAL, None, 2, LimitUnit.NATURAL_HOURS, 2),
]

# username, full name, roles, unit code (handlers only)
USERS = [
    ("admin", "系统管理员", [Role.ADMINISTRATOR], None),
    ("operator1", "闫鲁南", [Role.OPERATOR], None),
    ("operator2", "王晓丽", [Role.OPERATOR], None),
    ("dispatcher1", "李建国", [Role.DISPATCHER], None),
    ("reviewer1", "赵敏", [Role.REVIEWER], None),
    ("callback1", "孙佳", [Role.CALLBACK], None),
    ("inspector1", "周静", [Role.INSPECTOR], None),
    ("supervisor1", "吴志强", [Role.SUPERVISOR], None),
    ("editor1", "郑雪", [Role.KNOWLEDGE_EDITOR], None),
    ("analyst1", "冯涛", [Role.ANALYST], None),
]

# Demo handlers: one for each unit that leads the most rules, named handler_<unit code>.
HANDLER_UNITS = 8


def read(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def walk_categories(nodes, parent=None):
    for node in nodes:
        yield node, parent
        yield from walk_categories(node.get("children", []), node["code"])


@transaction.atomic
def load_city() -> dict[str, int]:
    """Create the demo city in an empty database; returns counts of what was created."""
    areas: dict[str, Area] = {}
    for row in read("areas.json"):
        areas[row["code"]] = Area.objects.create(
            code=row["code"],
            name=row["name"],
            level=row["level"],
            parent=areas.get(row["parent"]),
            lat=row.get("lat"),
            lng=row.get("lng"),
        )
    for row in read("places.json"):
        Place.objects.create(
            name=row["name"],
            kind=row["kind"],
            area=areas[row["area"]],
            lat=row.get("lat"),
            lng=row.get("lng"),
            aliases=" ".join(row.get("aliases", [])),
        )
    categories: dict[str, Category] = {}
    for node, parent in walk_categories(read("categories.json")):
        categories[node["code"]] = Category.objects.create(
            code=node["code"], name=node["name"], parent=categories.get(parent)
        )
    units: dict[str, Unit] = {}
    for row in read("units.json"):
        unit = Unit.objects.create(
            code=row["code"],
            name=row["name"],
            short_name=row.get("short_name", ""),
            kind=row["kind"],
            parent=units.get(row.get("parent")),
            phone=row.get("phone", ""),
        )
        unit.areas.set([areas[code] for code in row.get("areas", [])])
        units[row["code"]] = unit
    for row in read("rules.json"):
        rule = ResponsibilityRule.objects.create(
            number=row["no"],
            matter=row["matter"],
            category=categories.get(row["category"]),
            lead_unit=units[row["lead"]],
            legal_basis=row.get("legal_basis", ""),
            keywords=" ".join(row.get("keywords", [])),
        )
        rule.co_units.set([units[code] for code in row.get("co", [])])
        rule.areas.set([areas[code] for code in row.get("areas", [])])
    for row in read("hotlines.json"):
        Hotline.objects.create(code=row["code"], name=row["name"], unit=units.get(row.get("unit")))
    by_name = {c.name: c for c in categories.values() if c.level == 1}
    for name, clock, request_type, urgency, category, amount, unit, priority in POLICIES:
        TimeLimitPolicy.objects.create(
            name=name,
            clock=clock,
            request_type=request_type,
            urgency=urgency,
            category=by_name.get(category) if category else None,
            amount=amount,
            unit=unit,
            priority=priority,
        )
    load_online_services(categories)
    users = create_users(units)
    knowledge = load_knowledge(units)
    return {
        "areas": len(areas),
        "places": Place.objects.count(),
        "categories": len(categories),
        "units": len(units),
        "rules": ResponsibilityRule.objects.count(),
        "users": users,
        "knowledge": knowledge,
    }


def load_online_services(categories: dict[str, Category]) -> None:
    """What some categories ask online (Open311 attributes), and one batch service."""
    from hotline.intake.models import OnlineService, ServiceAttribute

    for row in read("online_services.json"):
        service = OnlineService.objects.create(
            category=categories[row["category"]],
            type=row.get("type", OnlineService.Type.REALTIME),
            description=row["description"],
            keywords=row["keywords"],
        )
        for order, attribute in enumerate(row["attributes"], start=1):
            ServiceAttribute.objects.create(
                service=service,
                code=attribute["code"],
                datatype=attribute["datatype"],
                description=attribute["description"],
                datatype_description=attribute.get("hint", ""),
                is_required=attribute["required"],
                order=order,
                values=attribute.get("values", []),
            )


def load_knowledge(units: dict[str, Unit]) -> int:
    """The demo's knowledge base: written by the demo editor and approved by the
    administrator, through the same review as any item."""
    from hotline.knowledge import service

    writer, reviewer = User.objects.get(username="editor1"), User.objects.get(username="admin")
    for row in read("knowledge.json"):
        item = service.create(
            row["kind"],
            row["title"],
            row["text"],
            units[row["owner"]],
            writer,
            fields=row.get("fields"),
            tags=row.get("tags", ""),
        )
        version = item.versions.get()
        service.submit(version, writer)
        service.approve(version, reviewer)
    return len(read("knowledge.json"))


def demo_handler_units() -> list[Unit]:
    """The units that lead the most rules: the demo gives each a handler."""
    from django.db.models import Count

    return list(Unit.objects.annotate(n=Count("lead_rules")).order_by("-n", "code")[:HANDLER_UNITS])


def create_users(units: dict[str, Unit]) -> int:
    people = [(u, n, r, c) for u, n, r, c in USERS]
    for unit in demo_handler_units():
        people.append((f"handler_{unit.code}", f"{unit} 承办人", [Role.HANDLER], unit.code))
    for username, full_name, roles, unit_code in people:
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            full_name=full_name,
            unit=units.get(unit_code) if unit_code else None,
            is_staff=Role.ADMINISTRATOR in roles,
            is_superuser=Role.ADMINISTRATOR in roles,
        )
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in roles])
    return len(people)


def is_loaded() -> bool:
    return Area.objects.exists()
