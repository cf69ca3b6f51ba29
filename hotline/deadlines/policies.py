"""Which time-limit policy applies to a request, and the deadlines it gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from hotline.errors import HotlineError

from .calendar import add_limit
from .models import Clock, TimeLimitPolicy


@dataclass(frozen=True)
class PolicyRow:
    """A policy as plain data, so that matching needs no query per order."""

    id: int
    name: str
    clock: str
    request_type: str
    urgency: str
    category_code: str | None
    area_code: str | None
    category_level: int
    area_level: int
    amount: int
    unit: str
    priority: int


@dataclass(frozen=True)
class Subject:
    """What a deadline depends on: the request's type, urgency, category and area."""

    request_type: str
    urgency: str
    category_path: str = ""
    area_path: str = ""


def load_policies() -> list[PolicyRow]:
    rows = TimeLimitPolicy.objects.filter(is_active=True).select_related("category", "area")
    return [
        PolicyRow(
            id=p.id,
            name=p.name,
            clock=p.clock,
            request_type=p.request_type,
            urgency=p.urgency,
            category_code=p.category.code if p.category else None,
            area_code=p.area.code if p.area else None,
            category_level=p.category.level if p.category else 0,
            area_level=len(p.area.path.split("/")) if p.area else 0,
            amount=p.amount,
            unit=p.unit,
            priority=p.priority,
        )
        for p in rows
    ]


def matches(policy: PolicyRow, subject: Subject) -> bool:
    return (
        (not policy.request_type or policy.request_type == subject.request_type)
        and (not policy.urgency or policy.urgency == subject.urgency)
        and (
            policy.category_code is None or policy.category_code in subject.category_path.split("/")
        )
        and (policy.area_code is None or policy.area_code in subject.area_path.split("/"))
    )


def specificity(policy: PolicyRow) -> tuple[int, int, int, int]:
    criteria = sum(
        bool(x)
        for x in (policy.request_type, policy.urgency, policy.category_code, policy.area_code)
    )
    return (policy.priority, criteria, policy.category_level, policy.area_level)


def best_policy(policies: list[PolicyRow], clock: str, subject: Subject) -> PolicyRow:
    """The most specific active policy of ``clock`` for ``subject``; refuses when none applies."""
    candidates = [p for p in policies if p.clock == clock and matches(p, subject)]
    if not candidates:
        raise HotlineError(
            "no_time_limit_policy",
            _(
                "No time-limit policy applies to this request (%(clock)s clock). "
                "Ask the administrator to add one."
            ),
            clock=Clock(clock).label,
        )
    return max(candidates, key=specificity)


@dataclass(frozen=True)
class Deadlines:
    sign_due_at: datetime
    handle_due_at: datetime
    sign_policy: PolicyRow
    handle_policy: PolicyRow


def deadlines_for(
    subject: Subject, start: datetime, policies: list[PolicyRow] | None = None
) -> Deadlines:
    """Both clocks for a request dispatched at ``start``: sign-for and handling."""
    policies = load_policies() if policies is None else policies
    sign = best_policy(policies, Clock.SIGN, subject)
    handle = best_policy(policies, Clock.HANDLE, subject)
    return Deadlines(
        sign_due_at=add_limit(start, sign.amount, sign.unit),
        handle_due_at=add_limit(start, handle.amount, handle.unit),
        sign_policy=sign,
        handle_policy=handle,
    )
