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
    clock: ClockEffect = ClockEffect.KEEP
    own_unit: bool = False  # the actor must be a handler of the order's lead unit
    needs_reason: bool = False


def step(sources, target, roles, clock=ClockEffect.KEEP, **flags) -> Step:
    return Step(frozenset(sources), target, frozenset(roles), clock, **flags)


# Short names for the table's columns.
C = ClockEffect
START, HANDLE, EXTEND, STOP, ESCALATE = C.START, C.HANDLE, C.EXTEND, C.STOP, C.ESCALATE
OWN = {"own_unit": True}  # only the lead unit's handlers
WHY = {"needs_reason": True}  # a reason (or the reply text) is required
CENTRE = {R.OPERATOR, R.DISPATCHER}
OPEN_OR_CLOSED = OPEN_STATUSES | {S.CLOSED}
CLOCKED = CLOCKED_STATUSES

# fmt: off
TRANSITIONS: dict[str, Step] = {
    # action                   from states                               to state            who may do it                           clock, flags  # noqa: E501
    "resolve_directly":   step({S.REGISTERED},                           S.CLOSED,           CENTRE,                                 STOP, **WHY),  # 直办  # noqa: E501
    "dispatch":           step({S.REGISTERED},                           S.DISPATCHED,       {R.DISPATCHER},                         START),  # 派单  # noqa: E501
    "accept":             step({S.DISPATCHED},                           S.ACCEPTED,         {R.HANDLER},                            HANDLE, **OWN),  # 签收  # noqa: E501
    "return_order":       step({S.DISPATCHED, S.ACCEPTED},               S.RETURNED,         {R.HANDLER},                            STOP, **OWN, **WHY),  # 退单  # noqa: E501
    "redispatch":         step({S.RETURNED, S.DISPATCHED},               S.DISPATCHED,       {R.DISPATCHER},                         START),  # 改派  # noqa: E501
    "request_extension":  step({S.ACCEPTED},                             None,               {R.HANDLER},                            **OWN, **WHY),  # 申请延期  # noqa: E501
    "approve_extension":  step({S.ACCEPTED},                             None,               {R.DISPATCHER, R.SUPERVISOR},           EXTEND),  # 同意延期  # noqa: E501
    "refuse_extension":   step({S.ACCEPTED},                             None,               {R.DISPATCHER, R.SUPERVISOR},           **WHY),  # 驳回延期  # noqa: E501
    "reply":              step({S.ACCEPTED},                             S.REPLIED,          {R.HANDLER},                            STOP, **OWN, **WHY),  # 答复  # noqa: E501
    "approve_reply":      step({S.REPLIED},                              S.PENDING_CALLBACK, {R.REVIEWER}),  # 审核通过  # noqa: E501
    "send_back":          step({S.REPLIED},                              S.ACCEPTED,         {R.REVIEWER},                           HANDLE, **WHY),  # 审核退回  # noqa: E501
    "callback":           step({S.PENDING_CALLBACK},                     S.CALLED_BACK,      {R.CALLBACK}),  # 回访  # noqa: E501
    "callback_failed":    step({S.PENDING_CALLBACK},                     None,               {R.CALLBACK}),  # 回访未接通  # noqa: E501
    "close":              step({S.CALLED_BACK, S.PENDING_CALLBACK},      S.CLOSED,           {R.CALLBACK, R.REVIEWER, R.SUPERVISOR}),  # 办结  # noqa: E501
    "reopen":             step({S.CALLED_BACK, S.CLOSED},                S.DISPATCHED,       {R.CALLBACK, R.SUPERVISOR},             START, **WHY),  # 重办  # noqa: E501
    "merge":              step({S.REGISTERED, S.RETURNED, S.DISPATCHED}, S.MERGED,           {R.DISPATCHER},                         STOP),  # 并单  # noqa: E501
    "transfer_emergency": step({S.REGISTERED},                           S.TRANSFERRED,      CENTRE,                                 STOP),  # 转警  # noqa: E501
    "relate":             step(OPEN_OR_CLOSED,                           None,               CENTRE | {R.SUPERVISOR}),  # 关联工单  # noqa: E501
    "remind":             step(CLOCKED,                                  None,               {SYSTEM},                               ESCALATE),  # 提醒  # noqa: E501
    "urge":               step(CLOCKED,                                  None,               {SYSTEM, R.SUPERVISOR},                 ESCALATE),  # 催办  # noqa: E501
    "supervise":          step(CLOCKED,                                  None,               {SYSTEM, R.SUPERVISOR},                 ESCALATE),  # 督办  # noqa: E501
}
# fmt: on

# What users read for each action: in the history, the buttons, the errors.
LABELS = {
    "resolve_directly": _("Resolve directly"),
    "dispatch": _("Dispatch"),
    "accept": _("Sign for"),
    "return_order": _("Return"),
    "redispatch": _("Re-dispatch"),
    "request_extension": _("Request extension"),
    "approve_extension": _("Approve extension"),
    "refuse_extension": _("Refuse extension"),
    "reply": _("Reply"),
    "approve_reply": _("Approve reply"),
    "send_back": _("Send back"),
    "callback": _("Call back"),
    "callback_failed": _("Caller unreachable"),
    "close": _("Close"),
    "reopen": _("Reopen"),
    "merge": _("Merge into another order"),
    "transfer_emergency": _("Transfer to 110/119/120"),
    "relate": _("Link a related order"),
    "remind": _("Due-soon reminder"),
    "urge": _("Urge"),
    "supervise": _("Supervise"),
    # Recorded beside the transitions, with no change of state (see orders.public).
    "supplement": _("Citizen added information"),
    "rating": _("Citizen rated the result"),
}

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
