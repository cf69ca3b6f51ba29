"""The organisation of a city as the hotline sees it.

Areas (city → district → street → community), the units that handle orders, the
category tree of requests, the responsibility list that maps a matter to its lead unit,
the merged hotlines, and the people with their roles.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def in_subtree(path_field: str, node: Area | Category) -> models.Q:
    """Rows whose ``path_field`` lies in the subtree of ``node`` (the node included)."""
    return models.Q(**{path_field: node.path}) | models.Q(
        **{f"{path_field}__startswith": f"{node.path}/"}
    )


class RequestType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")  # 咨询
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    HELP = "help", _("Request for help")  # 求助
    SUGGESTION = "suggestion", _("Suggestion")  # 建议
    REPORT = "report", _("Report of wrongdoing")  # 举报
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")  # 不予受理 (诉讼, 信访, 紧急警情...)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")  # 一般
    URGENT = "urgent", _("Urgent")  # 紧急
    CRITICAL = "critical", _("Critical")  # 特急


class Area(models.Model):
    """An administrative area. ``path`` lists the codes from the city down, for subtree queries."""

    class Level(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District or county")
        STREET = "street", _("Street or town")
        COMMUNITY = "community", _("Community or village")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent area"),
    )
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path}/{self.code}" if self.parent_id else self.code
        super().save(*args, **kwargs)

    def ancestor_codes(self) -> list[str]:
        return self.path.split("/")

    def full_name(self) -> str:
        names = dict(
            Area.objects.filter(code__in=self.ancestor_codes()).values_list("code", "name")
        )
        return "".join(names[code] for code in self.ancestor_codes() if code in names)


class Place(models.Model):
    """A named place of the city that is not an administrative area: a residential
    compound, a road, a market, a hospital, a park. Drafting finds them in what callers
    say and resolves them to their area and coordinates (城市地名库)."""

    class Kind(models.TextChoices):
        COMPOUND = "compound", _("Residential compound")  # 小区
        ROAD = "road", _("Road or street")  # 道路
        LANDMARK = "landmark", _("Landmark")  # 地标: 医院, 学校, 公园, 车站, 市场

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LANDMARK)
    area = models.ForeignKey(Area, models.PROTECT, verbose_name=_("area"), related_name="places")
    aliases = models.CharField(
        _("other names"), max_length=255, blank=True, help_text=_("Separated by spaces.")
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("place name")
        verbose_name_plural = _("place names")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "area"], name="place_name_unique_in_area")
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit that handles orders: a department, a district or street government, a utility."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Municipal department")  # 委办局
        DISTRICT = "district", _("District or county government")  # 区县政府
        STREET = "street", _("Street office or town government")  # 街道/乡镇
        UTILITY = "utility", _("Public utility")  # 水电气暖公交通信
        AGENCY = "agency", _("Other agency")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="units", verbose_name=_("areas of competence")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Category(models.Model):
    """A node of the request category tree (about three levels)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    level = models.PositiveSmallIntegerField(_("level"), editable=False, default=1)
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.parent_id:
            self.path = f"{self.parent.path}/{self.code}"
            self.level = self.parent.level + 1
        else:
            self.path, self.level = self.code, 1
        super().save(*args, **kwargs)


class ResponsibilityRule(models.Model):
    """One row of the responsibility list (权责清单 / 派单目录): a matter, who handles it, where."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    matter = models.CharField(_("matter"), max_length=200)
    category = models.ForeignKey(
        Category,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name=_("category"),
    )
    lead_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="lead_rules", verbose_name=_("lead unit")
    )
    co_units = models.ManyToManyField(
        Unit, blank=True, related_name="co_rules", verbose_name=_("co-units")
    )
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="rules",
        verbose_name=_("areas where it applies"),
        help_text=_("Empty means the whole city."),
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    keywords = models.CharField(
        _("keywords"), max_length=255, blank=True, help_text=_("Separated by spaces.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("responsibility rule")
        verbose_name_plural = _("responsibility list")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.matter}"


class Hotline(models.Model):
    """A line that takes requests besides 12345 itself: an older hotline merged into it
    (12315, 12319, ...), or a special line (专线) opened for an event, such as a flood or an
    exam, for a window of time. Both are intake sources."""

    class Kind(models.TextChoices):
        MERGED = "merged", _("Merged hotline")  # 归并热线
        SPECIAL = "special", _("Special line")  # 专线

    code = models.CharField(_("number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MERGED)
    unit = models.ForeignKey(
        Unit, models.SET_NULL, null=True, blank=True, verbose_name=_("owning unit")
    )
    starts_at = models.DateTimeField(
        _("open from"), null=True, blank=True, help_text=_("Empty means open from now on.")
    )
    ends_at = models.DateTimeField(
        _("open until"), null=True, blank=True, help_text=_("Empty means no end.")
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True)
                | models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="hotline_ends_after_it_starts",
                violation_error_message=_("The line must close after it opens."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The line must close after it opens.")})

    @classmethod
    def open_now(cls, now: datetime | None = None) -> models.QuerySet[Hotline]:
        """The active lines whose window contains ``now`` (a line without a window is open)."""
        now = now or timezone.now()
        return cls.objects.filter(
            models.Q(starts_at__isnull=True) | models.Q(starts_at__lte=now),
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now),
            is_active=True,
        )

    def is_open(self, now: datetime | None = None) -> bool:
        """The same test as ``open_now`` for this one line."""
        now = now or timezone.now()
        return (
            self.is_active
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or now < self.ends_at)
        )


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")  # 话务员
    DISPATCHER = "dispatcher", _("Dispatcher")  # 派单员
    HANDLER = "handler", _("Department handler")  # 承办人
    REVIEWER = "reviewer", _("Reviewer")  # 审核员
    CALLBACK = "callback", _("Callback staff")  # 回访员
    INSPECTOR = "inspector", _("Quality inspector")  # 质检员
    SUPERVISOR = "supervisor", _("Supervisor")  # 督办员
    KNOWLEDGE_EDITOR = "knowledge_editor", _("Knowledge editor")  # 知识库编辑
    ANALYST = "analyst", _("Analyst")  # 分析员
    ADMINISTRATOR = "administrator", _("Administrator")  # 系统管理员


class RoleGrant(models.Model):
    """A role held by a user. A person may hold several (a reviewer who also calls back)."""

    user = models.ForeignKey(
        "User", models.CASCADE, related_name="role_grants", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self) -> str:
        return self.get_role_display()


class User(AbstractUser):
    """A person using the platform. A department handler is bound to exactly one unit."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("unit")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def roles(self) -> frozenset[str]:
        cached = getattr(self, "_roles", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True))
            self._roles = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class ApiToken(models.Model):
    """A personal token for the JSON API. Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        key = "hl_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), prefix=key[:8])
        return token, key
