"""Time limits as data: the working calendar's overrides and the time-limit policies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Area, Category, RequestType, Urgency


class CalendarDay(models.Model):
    """An administrator's word on one day: a holiday, or a make-up working day (调休).

    Overrides win over the calendar package. For a year the package does not know yet
    (the State Council publishes the next year's schedule late in the year), entering that
    year's days here makes the year known; until then the platform warns and counts
    Monday to Friday as working days.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    WORKING_HOURS = "working_hours", _("working hours")
    NATURAL_DAYS = "natural_days", _("calendar days")
    NATURAL_HOURS = "natural_hours", _("hours")


class Clock(models.TextChoices):
    SIGN = "sign", _("sign-for")  # 签收时限
    HANDLE = "handle", _("handling")  # 办理时限


class TimeLimitPolicy(models.Model):
    """How long a unit has, for requests matching every criterion that is set.

    An empty criterion matches anything; a category or an area matches its whole subtree.
    When several policies match, the most specific wins (``priority`` first, then the
    number of criteria set, then the depth of the category and of the area).
    """

    name = models.CharField(_("name"), max_length=100)
    clock = models.CharField(_("clock"), max_length=10, choices=Clock.choices)
    request_type = models.CharField(
        _("request type"), max_length=20, choices=RequestType.choices, blank=True
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, blank=True)
    category = models.ForeignKey(
        Category, models.PROTECT, null=True, blank=True, verbose_name=_("category")
    )
    area = models.ForeignKey(Area, models.PROTECT, null=True, blank=True, verbose_name=_("area"))
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=15, choices=LimitUnit.choices)
    priority = models.SmallIntegerField(
        _("priority"), default=0, help_text=_("A higher priority wins over specificity.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("time-limit policy")
        verbose_name_plural = _("time-limit policies")
        ordering = ["clock", "-priority", "name"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} {self.get_unit_display()}"

    def clean(self):
        if self.amount == 0:
            raise ValidationError({"amount": _("A time limit must be longer than zero.")})
