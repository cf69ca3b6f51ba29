"""What intake learns and remembers: trained model versions, the corrections operators and
dispatchers make to drafts, and nuisance calls counted per number."""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
