"""The knowledge base (知识库): items of several kinds, each with its versions, a review
workflow from draft to published, an owner unit that keeps it current, and an expiry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Area, Unit


class Kind(models.TextChoices):
    POLICY = "policy", _("Policy or regulation")  # 政策法规
    GUIDE = "guide", _("Service guide")  # 办事指南
    SCRIPT = "script", _("Unified reply script")  # 答复口径
    FAQ = "faq", _("Frequently asked question")  # 常见问题
    DIRECTORY = "directory", _("Unit responsibilities and contacts")  # 部门职责与联系方式
    PLACE = "place", _("Place")  # 地点信息


# The structured fields each kind carries besides its title and text (stored in
# ``KnowledgeVersion.fields``): what an operator reads out on the phone.
KIND_FIELDS = {
    Kind.POLICY: ["document_number", "issuing_body", "effective_on", "expires_on"],
    Kind.GUIDE: ["where", "documents", "fees", "time_limit", "hours", "phone"],
    Kind.SCRIPT: ["topic"],
    Kind.FAQ: [],
    Kind.DIRECTORY: ["phone", "address", "hours"],
    Kind.PLACE: ["address", "hours", "phone"],
}

FIELD_LABELS = {
    "document_number": _("Document number"),  # 文号
    "issuing_body": _("Issuing body"),  # 发文机关
    "effective_on": _("Effective from"),  # 生效日期
    "expires_on": _("Expires on"),  # 失效日期
    "where": _("Where to apply"),  # 办理地点
    "documents": _("Documents needed"),  # 所需材料
    "fees": _("Fees"),  # 收费标准
    "time_limit": _("Time to complete"),  # 办理时限
    "hours": _("Opening hours"),  # 办公时间
    "phone": _("Phone"),  # 联系电话
    "address": _("Address"),  # 地址
    "topic": _("Topic"),  # 主题
}


class KnowledgeItem(models.Model):
    """One piece of knowledge; what it says lives in its versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # 草稿: never published yet
        PUBLISHED = "published", _("Published")  # 已发布
        EXPIRED = "expired", _("Expired")  # 已过期
        WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    owner_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="knowledge_items", verbose_name=_("owner unit")
    )
    areas = models.ManyToManyField(
        Area, blank=True, verbose_name=_("areas"), help_text=_("Empty means the whole city.")
    )
    tags = models.CharField(_("tags"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published = models.ForeignKey(
        "KnowledgeVersion",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    expiry_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    source_order = models.ForeignKey(
        "orders.WorkOrder",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written from order"),
        help_text=_("The consultation whose answer this item keeps."),
    )

    class Meta:
        verbose_name = _("knowledge item")
        verbose_name_plural = _("knowledge items")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.published.title if self.published_id else f"#{self.pk}"


class KnowledgeVersion(models.Model):
    """What an item says at one moment, and where it is in the review (审核) workflow."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")  # 草稿
        REVIEW = "review", _("In review")  # 待审核
        PUBLISHED = "published", _("Published")  # 已发布 (the item's current text)
        SUPERSEDED = "superseded", _("Superseded")  # 已被新版本替代

    item = models.ForeignKey(
        KnowledgeItem, models.CASCADE, related_name="versions", verbose_name=_("item")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    fields = models.JSONField(_("details"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    note = models.CharField(_("what changed"), max_length=255, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    written_at = models.DateTimeField(_("written at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=255, blank=True)
    # The text's sentence embedding for search by meaning (``nlp.embed``), computed once
    # in the background; empty until then, and the item is found by its words meanwhile.
    vector = models.BinaryField(null=True, blank=True, editable=False)
    vector_model = models.CharField(max_length=60, blank=True, editable=False)
    # The words of the title, and of the title and text, as the search cuts them (jieba),
    # separated by spaces: what PostgreSQL's full-text index reads (the "postgres" backend).
    search_title = models.TextField(blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("knowledge version")
        verbose_name_plural = _("knowledge versions")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="one_number_per_version"),
            # One text being edited or reviewed at a time: two drafts could not both win.
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(state__in=["draft", "review"]),
                name="one_open_version_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class CollaborationRequest(models.Model):
    """A request from the centre to a unit to write or correct knowledge (知识库协作函),
    with a deadline, tracked like a small work order."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for the unit")  # 待办理
        ANSWERED = "answered", _("Answered, in review")  # 已答复
        CLOSED = "closed", _("Closed")  # 已办结

    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="knowledge_requests", verbose_name=_("unit")
    )
    item = models.ForeignKey(
        KnowledgeItem,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("item to correct"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("what is needed"))
    due_at = models.DateTimeField(_("deadline"), db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    asked_by = models.ForeignKey(  # empty for the system's own expiry reminders
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    asked_at = models.DateTimeField(_("asked at"))
    answer = models.ForeignKey(
        KnowledgeVersion,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answering version"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("knowledge collaboration request")
        verbose_name_plural = _("knowledge collaboration requests")
        ordering = ["due_at"]

    def __str__(self) -> str:
        return self.subject

    def is_overdue(self, now) -> bool:
        return self.state == self.State.OPEN and now > self.due_at


class KnowledgeUse(models.Model):
    """An item's answer given to a caller: inserted into the reply of an order. Counting
    these gives the items that answer most, those never used, and the hit rate."""

    item = models.ForeignKey(KnowledgeItem, models.CASCADE, related_name="uses")
    version = models.ForeignKey(KnowledgeVersion, models.CASCADE, related_name="+")
    order = models.ForeignKey(
        "orders.WorkOrder", models.CASCADE, null=True, blank=True, related_name="knowledge_uses"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Its place among the suggestions, 1 for the first.")
    )

    class Meta:
        verbose_name = _("knowledge use")
        verbose_name_plural = _("knowledge uses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.version_id} → {self.order_id}"


class KnowledgeFeedback(models.Model):
    """An operator's word on an answer: it helped, or it is wrong (and what is wrong)."""

    item = models.ForeignKey(KnowledgeItem, models.CASCADE, related_name="feedback")
    version = models.ForeignKey(KnowledgeVersion, models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    is_helpful = models.BooleanField(_("helpful"))
    comment = models.CharField(_("what is wrong"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("knowledge feedback")
        verbose_name_plural = _("knowledge feedback")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.item_id}: {'+' if self.is_helpful else '-'} {self.comment}"


class KnowledgeSearch(models.Model):
    """A search someone typed, with how well it was answered: the gaps to fill are the
    questions asked again and again that find nothing good."""

    class Source(models.TextChoices):
        CONSOLE = "console", _("Console")
        API = "api", _("API")

    query = models.CharField(_("question"), max_length=200)  # personal data masked
    key = models.CharField(max_length=200, db_index=True)  # folded, for counting repeats
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    results = models.PositiveSmallIntegerField(_("results"))
    coverage = models.FloatField(
        _("coverage"), help_text=_("Share of the question's words the best title contains.")
    )

    class Meta:
        verbose_name = _("knowledge search")
        verbose_name_plural = _("knowledge searches")
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.query


class SynonymGroup(models.Model):
    """Words that mean the same to this city's callers (one group: 医保 医疗保险 医疗保障),
    added to the built-in groups of ``nlp.synonyms``: a question in either word finds
    items written in the other."""

    words = models.CharField(
        _("words"),
        max_length=255,
        help_text=_("The words that mean the same, separated by spaces."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["words"]

    def __str__(self) -> str:
        return self.words


class KnowledgeImport(models.Model):
    """A file of existing knowledge imported in the background, with its progress and,
    once done, the report of what was created and what was skipped and why."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file = models.FileField(_("file"), upload_to="knowledge-imports/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    owner_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("owner unit")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, blank=True)
    publish = models.BooleanField(_("publish at once"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="queued")
    total = models.PositiveIntegerField(_("items read"), default=0)
    done = models.PositiveIntegerField(_("items written"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("knowledge import")
        verbose_name_plural = _("knowledge imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def percent(self) -> int:
        if self.state in (self.State.DONE, self.State.FAILED):
            return 100
        return int(100 * self.done / self.total) if self.total else 0
