"""Open311 services: the leaves of the category tree, with what the city set for them online
(``OnlineService``) and their questions (``ServiceAttribute``). Every service also asks the
request type, so that a complaint is told from a request for help."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hotline.errors import HotlineError
from hotline.orgs.models import Category, RequestType, ResponsibilityRule

from ..models import OnlineService, ServiceAttribute

REQUEST_TYPE = "request_type"
OFFERED_TYPES = [
    RequestType.HELP,
    RequestType.COMPLAINT,
    RequestType.CONSULTATION,
    RequestType.SUGGESTION,
    RequestType.REPORT,
]


@dataclass
class Question:
    code: str
    datatype: str
    description: str
    is_required: bool = False
    is_variable: bool = True
    order: int = 1
    datatype_description: str = ""
    values: list[dict] = field(default_factory=list)

    def keys(self) -> dict[str, str]:
        return {str(value["key"]): str(value["name"]) for value in self.values}

    def as_open311(self) -> dict:
        row = {
            "variable": self.is_variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.is_required,
            "datatype_description": self.datatype_description or None,
            "order": self.order,
            "description": self.description,
        }
        if self.values:
            row["values"] = [{"key": k, "name": n} for k, n in self.keys().items()]
        return row


@dataclass
class Service:
    code: str
    name: str
    group: str
    description: str
    keywords: str
    is_batch: bool
    questions: list[Question]

    def as_open311(self) -> dict:
        return {
            "service_code": self.code,
            "service_name": self.name,
            "description": self.description,
            "metadata": True,
            "type": "batch" if self.is_batch else "realtime",
            "keywords": self.keywords,
            "group": self.group,
        }

    def attributes_open311(self) -> list[dict]:
        return [question.as_open311() for question in self.questions]

    def read_attributes(self, values: dict[str, list[str]]) -> tuple[list[tuple[str, str]], str]:
        """The answers as (question, answer) lines and the request type chosen. Refuses
        unknown codes, missing required answers and values of the wrong type."""
        by_code = {question.code: question for question in self.questions}
        unknown = sorted(set(values) - set(by_code))
        if unknown:
            raise HotlineError(
                "attribute",
                _("Unknown attribute for this service: %(codes)s."),
                codes=", ".join(unknown)[:200],
            )
        answers, request_type = [], ""
        for question in self.questions:
            given = values.get(question.code) or []
            if not given:
                if question.is_required and question.is_variable:
                    raise HotlineError(
                        "attribute",
                        _("The attribute “%(code)s” is required."),
                        code=question.code,
                    )
                continue
            shown = checked(question, given)
            if question.code == REQUEST_TYPE:
                request_type = given[0]
            else:
                answers.append((question.description[:100], shown[:500]))
        return answers, request_type


def checked(question: Question, given: list[str]) -> str:
    """The answer as text, if it fits the question's datatype."""

    def refuse(message):
        raise HotlineError("attribute", message, code=question.code)

    if question.datatype != ServiceAttribute.Datatype.MULTI and len(given) > 1:
        refuse(_("The attribute “%(code)s” takes one value."))
    if question.datatype in (ServiceAttribute.Datatype.SINGLE, ServiceAttribute.Datatype.MULTI):
        keys = question.keys()
        if any(value not in keys for value in given):
            refuse(_("The attribute “%(code)s” has a value that is not in its list."))
        return "、".join(keys[value] for value in given)
    value = given[0]
    if question.datatype == ServiceAttribute.Datatype.NUMBER:
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if number != number or number in (float("inf"), float("-inf")):
            refuse(_("The attribute “%(code)s” must be a number."))
    elif question.datatype == ServiceAttribute.Datatype.DATETIME:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            refuse(_("The attribute “%(code)s” must be a datetime."))
    elif question.datatype == ServiceAttribute.Datatype.STRING and len(value) > 200:
        refuse(_("The attribute “%(code)s” is too long."))
    return value


def request_type_question() -> Question:
    return Question(
        code=REQUEST_TYPE,
        datatype=ServiceAttribute.Datatype.SINGLE,
        description=_("What kind of request is it?"),
        datatype_description=_("Leave it out and the hotline decides from the description."),
        order=1,
        values=[{"key": kind.value, "name": str(kind.label)} for kind in OFFERED_TYPES],
    )


def leaves() -> list[Category]:
    """Active categories without active children."""
    categories = list(Category.objects.filter(is_active=True).order_by("path"))
    with_children = {c.parent_id for c in categories if c.parent_id}
    return [c for c in categories if c.pk not in with_children]


def offered() -> list[Service]:
    """Every service offered online, in the tree's order."""
    return services_of(leaves())


def find(code: str) -> Service | None:
    """The service of ``code``, if it is offered (an active leaf, not unpublished)."""
    if not code or len(code) > 20:
        return None
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None or category.children.filter(is_active=True).exists():
        return None
    found = services_of([category])
    return found[0] if found else None


def services_of(categories: list[Category]) -> list[Service]:
    ids = [category.pk for category in categories]
    names = dict(Category.objects.filter(is_active=True).values_list("code", "name"))
    options = {
        row.category_id: row
        for row in OnlineService.objects.filter(category_id__in=ids).prefetch_related("attributes")
    }
    keywords = rule_keywords(ids)
    question = request_type_question()
    return [
        service_of(category, options.get(category.pk), names, keywords, question)
        for category in categories
        if category.pk not in options or options[category.pk].is_published
    ]


def known_codes() -> set[str]:
    return set(Category.objects.values_list("code", flat=True))


def rule_keywords(category_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = ResponsibilityRule.objects.filter(is_active=True, category_id__in=category_ids).exclude(
        keywords=""
    )
    for category_id, words in rows.values_list("category_id", "keywords"):
        found.setdefault(category_id, []).extend(words.split())
    return found


def service_of(category, option, names, keywords, question) -> Service:
    path_names = [names.get(code, code) for code in category.path.split("/")]
    words = (option.keywords if option and option.keywords else "") or ", ".join(
        dict.fromkeys(keywords.get(category.pk, []))
    )
    questions = [question]
    if option is not None:
        questions += [
            Question(
                code=a.code,
                datatype=a.datatype,
                description=a.description,
                is_required=a.is_required,
                is_variable=a.is_variable,
                order=a.order + 1,
                datatype_description=a.datatype_description,
                values=a.values or [],
            )
            for a in option.attributes.all()
        ]
    return Service(
        code=category.code,
        name=category.name,
        group=path_names[0],
        description=(option.description if option and option.description else "")
        or " / ".join(path_names),
        keywords=words,
        is_batch=bool(option and option.type == OnlineService.Type.BATCH),
        questions=questions,
    )
