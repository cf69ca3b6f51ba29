"""The life of a work order, as one table.

Each action names the states it may start from, the state it leads to (``None``: the state
stays, e.g. an urging notice), who may take it, whether the actor must belong to the
order's lead unit, whether a reason is required, and what happens to the deadline clock.
``service.transition()`` applies a row; nothing else changes an order's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Role


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # 已受理, waiting for dispatch
    DISPATCHED = "dispatched", _("Dispatched")  # 已派单, waiting for sign-for
    RETURNED = "returned", _("Returned")  # 已退单, back with the dispatcher
    ACCEPTED = "accepted", _("In progress")  # 已签收, 办理中
    REPLIED = "replied", _("Replied")  # 已答复, waiting for review
    PENDING_CALLBACK = "pending_callback", _("Waiting for callback")  # 待回访
    CALLED_BACK = "called_back", _("Called back")  # 已回访, waiting to close
    CLOSED = "closed", _("Closed")  # 已办结
    MERGED = "merged", _("Merged")  # 已并单 into another order
    TRANSFERRED = "transferred", _("Transferred to emergency services")  # 已移交 110/119/120


OPEN_STATUSES = frozenset(
    {
        Status.REGISTERED,
        Status.DISPATCHED,
        Status.RETURNED,
        Status.ACCEPTED,
        Status.REPLIED,
        Status.PENDING_CALLBACK,
        Status.CALLED_BACK,
    }
)
# States in which a unit's clock runs and the sweeper watches the deadline.
CLOCKED_STATUSES = frozenset({Status.DISPATCHED, Status.ACCEPTED})


class ClockEffect(StrEnum):
    KEEP = "keep"  # nothing changes
    START = "start"  # both clocks start now from the policies (dispatch, re-dispatch, reopen)
    HANDLE = "handle"  # the sign-for clock is done; the handling clock is the one watched
    EXTEND = "extend"  # the handling deadline moves by the approved working days (pause)
    STOP = "stop"  # no unit clock runs (waiting for review, callback, done)
    ESCALATE = "escalate"  # the next grade of escalation is reached


SYSTEM = "system"  # the sweeper acting on deadlines

S = Status
R = Role


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    label: str
    clock: ClockEffect = ClockEffect.KEEP
    own_unit: bool = False  # the actor must be a handler of the order's lead unit
    needs_reason: bool = False


def step(sources, target, roles, label, **kwargs) -> Step:
    return Step(frozenset(sources), target, frozenset(roles), label, **kwargs)


# fmt: off
TRANSITIONS: dict[str, Step] = {
    # action               from states                          to state            who may do it
    "resolve_directly":   step({S.REGISTERED},                   S.CLOSED,           {R.OPERATOR, R.DISPATCHER}, _("Resolve directly"), clock=ClockEffect.STOP, needs_reason=True),  # 直办  # noqa: E501
    "dispatch":           step({S.REGISTERED},                   S.DISPATCHED,       {R.DISPATCHER}, _("Dispatch"), clock=ClockEffect.START),  # 派单  # noqa: E501
    "accept":             step({S.DISPATCHED},                   S.ACCEPTED,         {R.HANDLER}, _("Sign for"), clock=ClockEffect.HANDLE, own_unit=True),  # 签收  # noqa: E501
    "return_order":       step({S.DISPATCHED, S.ACCEPTED},       S.RETURNED,         {R.HANDLER}, _("Return"), clock=ClockEffect.STOP, own_unit=True, needs_reason=True),  # 退单  # noqa: E501
    "redispatch":         step({S.RETURNED, S.DISPATCHED},       S.DISPATCHED,       {R.DISPATCHER}, _("Re-dispatch"), clock=ClockEffect.START),  # 改派  # noqa: E501
    "request_extension":  step({S.ACCEPTED},                     None,               {R.HANDLER}, _("Request extension"), own_unit=True, needs_reason=True),  # 申请延期  # noqa: E501
    "approve_extension":  step({S.ACCEPTED},                     None,               {R.DISPATCHER, R.SUPERVISOR}, _("Approve extension"), clock=ClockEffect.EXTEND),  # 同意延期  # noqa: E501
    "refuse_extension":   step({S.ACCEPTED},                     None,               {R.DISPATCHER, R.SUPERVISOR}, _("Refuse extension"), needs_reason=True),  # 驳回延期  # noqa: E501
    "reply":              step({S.ACCEPTED},                     S.REPLIED,          {R.HANDLER}, _("Reply"), clock=ClockEffect.STOP, own_unit=True, needs_reason=True),  # 答复  # noqa: E501
    "approve_reply":      step({S.REPLIED},                      S.PENDING_CALLBACK, {R.REVIEWER}, _("Approve reply")),  # 审核通过  # noqa: E501
    "send_back":          step({S.REPLIED},                      S.ACCEPTED,         {R.REVIEWER}, _("Send back"), clock=ClockEffect.HANDLE, needs_reason=True),  # 审核退回  # noqa: E501
    "callback":           step({S.PENDING_CALLBACK},             S.CALLED_BACK,      {R.CALLBACK}, _("Call back")),  # 回访  # noqa: E501
    "callback_failed":    step({S.PENDING_CALLBACK},             None,               {R.CALLBACK}, _("Caller unreachable")),  # 回访未接通  # noqa: E501
    "close":              step({S.CALLED_BACK, S.PENDING_CALLBACK}, S.CLOSED,        {R.CALLBACK, R.REVIEWER, R.SUPERVISOR}, _("Close")),  # 办结  # noqa: E501
    "reopen":             step({S.CALLED_BACK, S.CLOSED},        S.DISPATCHED,       {R.CALLBACK, R.SUPERVISOR}, _("Reopen"), clock=ClockEffect.START, needs_reason=True),  # 重办  # noqa: E501
    "merge":              step({S.REGISTERED, S.RETURNED, S.DISPATCHED}, S.MERGED,   {R.DISPATCHER}, _("Merge into another order"), clock=ClockEffect.STOP),  # 并单  # noqa: E501
    "transfer_emergency": step({S.REGISTERED},                   S.TRANSFERRED,      {R.OPERATOR, R.DISPATCHER}, _("Transfer to 110/119/120"), clock=ClockEffect.STOP),  # 转警  # noqa: E501
    "relate":             step(OPEN_STATUSES | {S.CLOSED},        None,               {R.OPERATOR, R.DISPATCHER, R.SUPERVISOR}, _("Link a related order")),  # 关联工单  # noqa: E501
    "remind":             step(CLOCKED_STATUSES,                 None,               {SYSTEM}, _("Due-soon reminder"), clock=ClockEffect.ESCALATE),  # 提醒  # noqa: E501
    "urge":               step(CLOCKED_STATUSES,                 None,               {SYSTEM, R.SUPERVISOR}, _("Urge"), clock=ClockEffect.ESCALATE),  # 催办  # noqa: E501
    "supervise":          step(CLOCKED_STATUSES,                 None,               {SYSTEM, R.SUPERVISOR}, _("Supervise"), clock=ClockEffect.ESCALATE),  # 督办  # noqa: E501
}
# fmt: on

# The action that registers a new order is not a transition between states, but it is
# recorded in the history like one.
REGISTER = "register"


class Escalation(models.IntegerChoices):
    NONE = 0, _("None")
    REMINDED = 1, _("Reminded")  # 提醒
    URGED = 2, _("Urged")  # 催办
    SUPERVISED = 3, _("Supervised")  # 督办


ESCALATION_ACTIONS = {
    "remind": Escalation.REMINDED,
    "urge": Escalation.URGED,
    "supervise": Escalation.SUPERVISED,
}


def allowed_actions(status: str, roles: frozenset[str]) -> list[str]:
    """The actions a holder of ``roles`` may take on an order in ``status``."""
    return [
        name
        for name, row in TRANSITIONS.items()
        if status in row.sources and roles.intersection(row.roles)
    ]
