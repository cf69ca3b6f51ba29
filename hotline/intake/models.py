"""What intake learns and remembers: trained model versions, the corrections operators and
dispatchers make to drafts, nuisance calls counted per number, and the online channels: their
clients and keys, the services offered to them, and every message they sent in."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModelVersion(models.Model):
    """One run of ``hotline train``: the classifiers it fitted (category, request type,
    lead unit), the report on the held-back orders, and whether the live system uses it."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"))
    trained_by = models.CharField(_("trained by"), max_length=150, blank=True)
    examples = models.PositiveIntegerField(_("training examples"))
    held_back = models.PositiveIntegerField(_("held-back examples"))
    corrections = models.PositiveIntegerField(_("corrections used"), default=0)
    report = models.JSONField(_("report"), default=dict)
    data = models.BinaryField(_("model data"))
    size = models.PositiveIntegerField(_("size in bytes"))
    is_current = models.BooleanField(_("in use"), default=False)

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_model_version_in_use",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class Correction(models.Model):
    """A draft's suggestion that a person changed (纠错): the model's hit rate is measured
    on these, and ``hotline train`` weighs the corrected orders more."""

    class Field(models.TextChoices):
        CATEGORY = "category", _("Category")
        REQUEST_TYPE = "request_type", _("Request type")
        AREA = "area", _("Area")
        LEAD_UNIT = "lead_unit", _("Lead unit")

    class Stage(models.TextChoices):
        INTAKE = "intake", _("Intake")
        DISPATCH = "dispatch", _("Dispatch")

    order = models.ForeignKey(
        "orders.WorkOrder", models.CASCADE, related_name="corrections", verbose_name=_("order")
    )
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    suggested = models.CharField(_("suggested"), max_length=50, blank=True)
    chosen = models.CharField(_("chosen"), max_length=50, blank=True)
    is_accepted = models.BooleanField(_("suggestion kept"))
    model_version = models.ForeignKey(
        ModelVersion, models.SET_NULL, null=True, blank=True, verbose_name=_("model version")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("draft correction")
        verbose_name_plural = _("draft corrections")
        ordering = ["-at"]
        indexes = [models.Index(fields=["field", "at"])]

    def __str__(self) -> str:
        return f"{self.field}: {self.suggested} → {self.chosen}"


class NuisanceCall(models.Model):
    """A call that made no order: silence or abuse (骚扰电话). Counted per number so that
    repeated ones are seen at once when the number calls again."""

    class Kind(models.TextChoices):
        SILENT = "silent", _("Silent call")  # 无声电话
        ABUSIVE = "abusive", _("Abusive call")  # 辱骂骚扰

    phone = models.CharField(_("phone"), max_length=30, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("nuisance call")
        verbose_name_plural = _("nuisance calls")
        ordering = ["-at"]
        indexes = [models.Index(fields=["phone", "at"])]

    def __str__(self) -> str:
        return f"{self.phone} {self.get_kind_display()}"


class ChannelClient(models.Model):
    """A system that sends requests in: an Open311 client (an app, a city portal), a WeChat
    gateway, a mail importer, the 12315 or 110 platform. It holds one API key (only a hash is
    kept; the key is shown once), may be revoked, and is rate-limited."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    rate_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        default=60,
        help_text=_("Requests with this key above the limit are refused until the next minute."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("channel client (API key)")
        verbose_name_plural = _("channel clients (API keys)")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "ck_" + secrets.token_urlsafe(24)

    def set_key(self, key: str) -> None:
        self.key_hash = self.hash_key(key)
        self.prefix = key[:8]


class OnlineService(models.Model):
    """How a category is offered to online channels (an Open311 service): its description,
    keywords, whether a request gets its number at once (realtime) or a token first (batch:
    the worker registers it), and the extra questions it asks (``ServiceAttribute``).
    A leaf category without this row is offered as realtime with its path as description."""

    class Type(models.TextChoices):
        REALTIME = "realtime", _("Realtime: the order number is returned at once")
        BATCH = "batch", _("Batch: a token is returned, the order is registered by the worker")

    category = models.OneToOneField(
        "orgs.Category",
        models.CASCADE,
        primary_key=True,
        related_name="online_service",
        verbose_name=_("category"),
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.REALTIME)
    description = models.CharField(_("description"), max_length=500, blank=True)
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Separated by commas.")
    )
    is_published = models.BooleanField(
        _("offered online"),
        default=True,
        help_text=_("Unpublished categories are neither listed nor accepted online."),
    )

    class Meta:
        verbose_name = _("online service")
        verbose_name_plural = _("online services")

    def __str__(self) -> str:
        return str(self.category)


class ServiceAttribute(models.Model):
    """One extra question of an online service (an Open311 attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLE = "singlevaluelist", _("One of a list")
        MULTI = "multivaluelist", _("Several of a list")

    service = models.ForeignKey(
        OnlineService, models.CASCADE, related_name="attributes", verbose_name=_("service")
    )
    code = models.SlugField(_("code"), max_length=40)
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices)
    description = models.CharField(_("question"), max_length=300)
    datatype_description = models.CharField(_("hint"), max_length=300, blank=True)
    is_required = models.BooleanField(_("required"), default=False)
    is_variable = models.BooleanField(
        _("asks for input"),
        default=True,
        help_text=_("Off: the text is only shown to the citizen, nothing is asked."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    values = models.JSONField(
        _("values"),
        default=list,
        blank=True,
        help_text=_('For lists: [{"key": "1", "name": "…"}, …]'),
    )

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["service", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="unique_attribute_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.description}"

    def clean(self):
        keys = [str(value.get("key", "")) for value in self.values if isinstance(value, dict)]
        if self.datatype in (self.Datatype.SINGLE, self.Datatype.MULTI):
            if not keys or len(keys) != len(self.values) or "" in keys:
                raise ValidationError(
                    {"values": _("A list needs values, each with a key and a name.")}
                )
            if len(set(keys)) != len(keys):
                raise ValidationError({"values": _("The keys of a list must differ.")})


def message_media_path(instance: ChannelMessage, filename: str) -> str:
    return f"channels/{timezone.now():%Y/%m}/{secrets.token_hex(8)}-{filename}"


class ChannelMessage(models.Model):
    """What a channel sent, as received: every online request (Open311, the citizen web
    page, WeChat, e-mail, a 12315 or 110 transfer) is kept here and becomes an order through
    the same path. The channel's own message id makes a message count once."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be registered")
        REGISTERED = "registered", _("Registered")
        FAILED = "failed", _("Could not be registered")

    channel = models.CharField(_("channel"), max_length=10)
    source_ref = models.CharField(_("source message id"), max_length=100, blank=True)
    client = models.ForeignKey(
        ChannelClient,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("client"),
    )
    token = models.CharField(_("token"), max_length=40, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    data = models.JSONField(_("submitted data"), default=dict)
    media = models.FileField(_("photo"), upload_to=message_media_path, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    order = models.OneToOneField(
        "orders.WorkOrder",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="channel_message",
        verbose_name=_("order"),
    )
    expected_unit = models.ForeignKey(
        "orgs.Unit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("expected unit"),
    )
    expected_at = models.DateTimeField(_("expected answer by"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("channel message")
        verbose_name_plural = _("channel messages")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["state", "received_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="unique_channel_message",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.source_ref or self.token}"
