"""The work order (工单), its append-only history and the records hanging off it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Area, Category, Hotline, RequestType, Unit, Urgency

from .lifecycle import Escalation, Status


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web form")
    APP = "app", _("Mobile app")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    OPEN311 = "open311", _("Open311 client")
    TRANSFER = "transfer", _("Transfer from another line")
    LETTER = "letter", _("Letter or visit")


class CallerKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class Closure(models.TextChoices):
    DIRECT = "direct", _("Resolved directly")  # 直办
    CALLBACK = "callback", _("Closed after callback")
    UNREACHABLE = "unreachable", _("Closed, caller unreachable")


class Satisfaction(models.TextChoices):
    """How the citizen rates the result online (网上评价)."""

    SATISFIED = "satisfied", _("Satisfied")  # 满意
    ACCEPTABLE = "acceptable", _("Acceptable")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意


class EmergencyService(models.TextChoices):
    POLICE = "110", _("110 police")
    FIRE = "119", _("119 fire and rescue")
    AMBULANCE = "120", _("120 ambulance")


class WorkOrder(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    hotline = models.ForeignKey(
        Hotline, models.PROTECT, null=True, blank=True, verbose_name=_("hotline")
    )
    source_ref = models.CharField(
        _("source reference"),
        max_length=100,
        blank=True,
        help_text=_("The channel's own message id; the same message never makes two orders."),
    )

    caller_name = models.CharField(_("caller name"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller phone"), max_length=30, blank=True, db_index=True)
    caller_kind = models.CharField(
        _("caller kind"), max_length=10, choices=CallerKind.choices, default=CallerKind.PERSON
    )
    company_name = models.CharField(_("company name"), max_length=100, blank=True)
    is_confidential = models.BooleanField(_("confidential"), default=False)  # 保密

    request_type = models.CharField(_("request type"), max_length=20, choices=RequestType.choices)
    category = models.ForeignKey(
        Category, models.PROTECT, null=True, blank=True, verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    area = models.ForeignKey(Area, models.PROTECT, null=True, blank=True, verbose_name=_("area"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )

    lead_unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_orders",
        verbose_name=_("lead unit"),
    )
    co_units = models.ManyToManyField(
        Unit, blank=True, related_name="co_orders", verbose_name=_("co-units")
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, editable=False)
    # Bumped by every transition: the conditional UPDATE on it makes concurrent edits
    # resolve to one winner.
    version = models.PositiveIntegerField(default=1, editable=False)

    # Deadline clocks. ``due_at`` is the deadline of the clock being watched now;
    # ``next_timer_at`` the next moment the sweeper must act (reminder, urging, supervision).
    clock_started_at = models.DateTimeField(_("clock started at"), null=True, editable=False)
    sign_due_at = models.DateTimeField(_("sign-for deadline"), null=True, editable=False)
    handle_due_at = models.DateTimeField(_("handling deadline"), null=True, editable=False)
    due_at = models.DateTimeField(_("current deadline"), null=True, editable=False)
    next_timer_at = models.DateTimeField(null=True, editable=False, db_index=True)
    deadline_basis = models.CharField(_("deadline basis"), max_length=255, blank=True)
    extension_days = models.PositiveSmallIntegerField(
        _("extension granted (working days)"), default=0
    )
    escalation = models.PositiveSmallIntegerField(
        _("escalation"), choices=Escalation.choices, default=Escalation.NONE, editable=False
    )
    is_overdue = models.BooleanField(_("overdue"), default=False, editable=False)

    # Moments of the life, derived from the history by transition() for fast indicators.
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now, db_index=True)
    # The local (Asia/Shanghai) day of registration: what reports count by.
    registered_on = models.DateField(_("registration day"), editable=False)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, editable=False)
    accepted_at = models.DateTimeField(_("signed for at"), null=True, editable=False)
    is_accepted_on_time = models.BooleanField(null=True, editable=False)
    replied_at = models.DateTimeField(_("replied at"), null=True, editable=False)
    is_replied_on_time = models.BooleanField(null=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, editable=False)
    closure = models.CharField(
        _("closure"), max_length=12, choices=Closure.choices, blank=True, editable=False
    )

    reply = models.TextField(_("reply"), blank=True)
    callback_attempts = models.PositiveSmallIntegerField(_("callback attempts"), default=0)
    is_resolved = models.BooleanField(_("resolved"), null=True, editable=False)
    is_satisfied = models.BooleanField(_("satisfied"), null=True, editable=False)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    merged_into = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_orders",
        verbose_name=_("merged into"),
        editable=False,
    )
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related orders"))
    transferred_to = models.CharField(
        _("transferred to"),
        max_length=3,
        choices=EmergencyService.choices,
        blank=True,
        editable=False,
    )
    transfer_reference = models.CharField(
        _("emergency service reference"), max_length=50, blank=True
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-registered_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            # Lists of one status, newest first (closed orders' answers, filtered searches).
            models.Index(fields=["status", "registered_at"]),
            # Few orders are merged: a partial index finds them where statistics would
            # make SQLite ignore a full one.
            models.Index(
                fields=["merged_into"],
                condition=models.Q(merged_into__isnull=False),
                name="order_merged_into",
            ),
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["category", "registered_at"]),
            models.Index(fields=["area", "registered_at"]),
            # Covers every column the indicators read, so that a report over a million
            # orders scans this index instead of the wide rows.
            models.Index(
                fields=[
                    "registered_on",
                    "status",
                    "lead_unit",
                    "area",
                    "category",
                    "dispatched_at",
                    "accepted_at",
                    "sign_due_at",
                    "is_accepted_on_time",
                    "replied_at",
                    "is_replied_on_time",
                    "is_resolved",
                    "is_satisfied",
                    "closure",
                    "is_overdue",
                ],
                name="order_indicator_facts",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="unique_source_message",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class OrderEvent(models.Model):
    """One line of an order's legal record: who did what, when, why, and what changed.

    Append-only: rows are never updated or deleted.
    """

    order = models.ForeignKey(WorkOrder, models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order history")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["order", "at"]),
            # The public updates of every order since a moment (FixMyStreet's polling).
            models.Index(fields=["at", "id"], name="order_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("order history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("order history is append-only")


class ExtensionRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    order = models.ForeignKey(WorkOrder, models.PROTECT, related_name="extension_requests")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("working days asked"))
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    days_granted = models.PositiveSmallIntegerField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(state="pending"),
                name="one_pending_extension_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} +{self.days}"


class CallbackAttempt(models.Model):
    order = models.ForeignKey(WorkOrder, models.PROTECT, related_name="callback_records")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField()
    is_reached = models.BooleanField(_("reached"))
    is_resolved = models.BooleanField(_("resolved"), null=True)
    is_satisfied = models.BooleanField(_("satisfied"), null=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")

    def __str__(self) -> str:
        return f"{self.order} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"orders/{instance.order.number}/{filename}"


class Attachment(models.Model):
    order = models.ForeignKey(WorkOrder, models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Notice(models.Model):
    """A reminder, urging or supervision notice to a unit about one order."""

    order = models.ForeignKey(WorkOrder, models.PROTECT, related_name="notices")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="notices")
    level = models.PositiveSmallIntegerField(choices=Escalation.choices)
    message = models.CharField(max_length=255)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["unit", "read_at"])]

    def __str__(self) -> str:
        return self.message


class OrderNumberSequence(models.Model):
    """The last number given out on a day (local date), for ``YYYYMMDD-NNNNNN`` numbers."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class OrderSearch(models.Model):
    """The search terms of an order (see ``search.py``), indexed by the database's own
    full-text engine: FTS5 on SQLite, a GIN index on PostgreSQL."""

    order = models.OneToOneField(WorkOrder, models.CASCADE, primary_key=True, related_name="search")
    terms = models.TextField()

    class Meta:
        verbose_name = _("search terms")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return str(self.order_id)
