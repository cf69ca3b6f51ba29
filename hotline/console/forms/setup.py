"""Forms of the administration screens (配置): filters and edit forms."""

from __future__ import annotations

import re
from datetime import datetime

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.deadlines import calendar
from hotline.deadlines.models import CalendarDay, Clock, LimitUnit, TimeLimitPolicy
from hotline.deadlines.policies import PolicyRow, Subject, deadlines_for
from hotline.errors import HotlineError
from hotline.orgs.models import (
    Area,
    Category,
    Hotline,
    RequestType,
    ResponsibilityRule,
    Role,
    RoleGrant,
    Unit,
    Urgency,
    User,
    in_subtree,
)

STATE_CHOICES = [
    ("", gettext_lazy("Active and inactive")),
    ("active", gettext_lazy("Active only")),
    ("inactive", gettext_lazy("Inactive only")),
]


def by_state(rows: QuerySet, state: str) -> QuerySet:
    if state == "active":
        return rows.filter(is_active=True)
    if state == "inactive":
        return rows.filter(is_active=False)
    return rows


def next_rule_number() -> int:
    last = ResponsibilityRule.objects.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def clock_answer(clock: Clock, due_at: datetime, policy: PolicyRow) -> dict:
    """One clock's deadline with the policy that decided it, as the preview shows them."""
    limit = _("%(amount)s %(unit)s") % {
        "amount": policy.amount,
        "unit": LimitUnit(policy.unit).label,
    }
    return {"clock": clock.label, "due_at": due_at, "policy": policy, "limit": limit}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


HOTLINE_WIDGETS = {
    "starts_at": DateTimeLocalInput,
    "ends_at": DateTimeLocalInput,
    "description": forms.Textarea(attrs={"rows": 3}),
}


class SearchInput(forms.TextInput):
    input_type = "search"


class LongCheckboxList(forms.CheckboxSelectMultiple):
    """Many checkboxes, one a line, in a box that scrolls (units, areas)."""

    is_long_list = True


class TreeChoiceField(forms.ModelChoiceField):
    """A category or an area, indented by its depth in the tree."""

    def label_from_instance(self, obj) -> str:
        return "\u3000" * obj.path.count("/") + obj.name


class TreeMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return "\u3000" * obj.path.count("/") + obj.name


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


def unit_filter(label) -> UnitChoiceField:
    """The "which unit" filter of a list: any unit, chosen by code."""
    return UnitChoiceField(
        Unit.objects.order_by("kind", "name"),
        label=label,
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("All units"),
    )


def state_filter() -> forms.ChoiceField:
    return forms.ChoiceField(label=gettext_lazy("State"), choices=STATE_CHOICES, required=False)


def units_for_choice(*keep: int | None) -> QuerySet[Unit]:
    """Active units, and the inactive ones a row already names (so that editing keeps them)."""
    return Unit.objects.filter(Q(is_active=True) | Q(pk__in=[pk for pk in keep if pk])).order_by(
        "kind", "name"
    )


def categories_for_choice(*keep: int | None) -> QuerySet[Category]:
    return Category.objects.filter(Q(is_active=True) | Q(pk__in=[pk for pk in keep if pk]))


def any_choice(choices) -> list[tuple[str, str]]:
    """A criterion's choices with an empty first one that reads "any"."""
    return [("", _("Any"))] + [(value, label) for value, label in choices if value]


# Responsibility list (权责清单).


class RuleFilter(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        widget=SearchInput(attrs={"placeholder": gettext_lazy("Matter, keyword or unit")}),
    )
    category = TreeChoiceField(
        Category.objects.all(),
        label=gettext_lazy("Category"),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("All categories"),
    )
    unit = unit_filter(gettext_lazy("Unit (lead or co-unit)"))
    state = state_filter()

    def rules(self) -> QuerySet[ResponsibilityRule]:
        rules = ResponsibilityRule.objects.select_related("category", "lead_unit").prefetch_related(
            "co_units", "areas"
        )
        if not self.is_valid():
            return rules.none()
        data = self.cleaned_data
        if text := data["q"].strip():
            match = (
                Q(matter__icontains=text)
                | Q(keywords__icontains=text)
                | Q(lead_unit__name__icontains=text)
                | Q(lead_unit__short_name__icontains=text)
                | Q(co_units__name__icontains=text)
                | Q(co_units__short_name__icontains=text)
            )
            if text.isdigit():
                match |= Q(number=int(text))
            rules = rules.filter(match)
        if data["category"]:
            rules = rules.filter(in_subtree("category__path", data["category"]))
        if data["unit"]:
            rules = rules.filter(Q(lead_unit=data["unit"]) | Q(co_units=data["unit"]))
        return by_state(rules, data["state"]).distinct()


class RuleForm(forms.ModelForm):
    class Meta:
        model = ResponsibilityRule
        fields = [
            "number",
            "matter",
            "category",
            "lead_unit",
            "co_units",
            "areas",
            "legal_basis",
            "keywords",
            "is_active",
        ]
        field_classes = {
            "category": TreeChoiceField,
            "lead_unit": UnitChoiceField,
            "co_units": UnitMultipleChoiceField,
            "areas": TreeMultipleChoiceField,
        }
        widgets = {
            "co_units": LongCheckboxList,
            "areas": LongCheckboxList,
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "keywords": gettext_lazy(
                "Words a caller uses for this matter, separated by spaces or commas."
            ),
            "is_active": gettext_lazy("An inactive rule is no longer used to recommend a unit."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rule = self.instance
        co_unit_ids = list(rule.co_units.values_list("pk", flat=True)) if rule.pk else []
        self.fields["category"].queryset = categories_for_choice(rule.category_id)
        self.fields["category"].empty_label = _("No category")
        self.fields["lead_unit"].queryset = units_for_choice(rule.lead_unit_id)
        self.fields["co_units"].queryset = units_for_choice(*co_unit_ids)
        if not rule.pk:
            self.initial.setdefault("number", next_rule_number())

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        if ResponsibilityRule.objects.filter(number=number).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Number %(number)s is taken; the next free number is %(next)s."),
                code="unique",
                params={"number": number, "next": next_rule_number()},
            )
        return number

    def clean_keywords(self) -> str:
        # Chinese punctuation between words is as good as a space.
        return " ".join(re.split(r"[\s,，、;；]+", self.cleaned_data["keywords"])).strip()

    def clean(self):
        data = super().clean()
        lead, co_units = data.get("lead_unit"), data.get("co_units")
        if lead and co_units and lead in co_units:
            self.add_error("co_units", _("The lead unit cannot also be a co-unit."))
        return data


# Time-limit policies and the deadline preview.


class PolicyFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search by name"), required=False, widget=SearchInput)
    clock = forms.ChoiceField(
        label=gettext_lazy("Clock"),
        choices=[("", gettext_lazy("Both clocks")), *Clock.choices],
        required=False,
    )
    request_type = forms.ChoiceField(
        label=gettext_lazy("Request type"),
        choices=[("", gettext_lazy("All types")), *RequestType.choices],
        required=False,
    )
    state = state_filter()

    def policies(self) -> QuerySet[TimeLimitPolicy]:
        policies = TimeLimitPolicy.objects.select_related("category", "area")
        if not self.is_valid():
            return policies.none()
        data = self.cleaned_data
        if data["q"].strip():
            policies = policies.filter(name__icontains=data["q"].strip())
        if data["clock"]:
            policies = policies.filter(clock=data["clock"])
        if data["request_type"]:
            # A policy without a type applies to this type too.
            policies = policies.filter(request_type__in=["", data["request_type"]])
        return by_state(policies, data["state"])


class PolicyForm(forms.ModelForm):
    class Meta:
        model = TimeLimitPolicy
        fields = [
            "name",
            "clock",
            "request_type",
            "urgency",
            "category",
            "area",
            "amount",
            "unit",
            "priority",
            "is_active",
        ]
        field_classes = {"category": TreeChoiceField, "area": TreeChoiceField}
        help_texts = {
            "request_type": gettext_lazy("Leave “any” for every request type."),
            "category": gettext_lazy("A category covers its subcategories."),
            "area": gettext_lazy("An area covers the areas within it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request_type"].choices = any_choice(RequestType.choices)
        self.fields["urgency"].choices = any_choice(Urgency.choices)
        self.fields["category"].queryset = categories_for_choice(self.instance.category_id)
        self.fields["category"].empty_label = _("Any")
        self.fields["area"].empty_label = _("Any")


class PreviewForm(forms.Form):
    """What the deadlines of a request would be: the same question as the API's preview."""

    request_type = forms.ChoiceField(
        label=gettext_lazy("Request type"),
        choices=RequestType.choices,
        initial=RequestType.COMPLAINT,
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    category = TreeChoiceField(
        Category.objects.all(),
        label=gettext_lazy("Category"),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("Any"),
    )
    area = TreeChoiceField(
        Area.objects.all(),
        label=gettext_lazy("Area"),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("Any"),
    )
    start = forms.DateTimeField(
        label=gettext_lazy("Dispatched at"),
        required=False,
        widget=DateTimeLocalInput,
        help_text=gettext_lazy("Empty means now."),
    )

    def preview(self) -> dict | None:
        """Both deadlines and the policies that decided them, or None with the form's error."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        start = data["start"] or timezone.now()
        subject = Subject(
            request_type=data["request_type"],
            urgency=data["urgency"],
            category_path=data["category"].path if data["category"] else "",
            area_path=data["area"].path if data["area"] else "",
        )
        try:
            limits = deadlines_for(subject, start)
        except HotlineError as error:
            self.add_error(None, error.render())
            return None
        return {
            "start": start,
            "clocks": [
                clock_answer(Clock.SIGN, limits.sign_due_at, limits.sign_policy),
                clock_answer(Clock.HANDLE, limits.handle_due_at, limits.handle_policy),
            ],
            "sign_due_at": limits.sign_due_at,
            "handle_due_at": limits.handle_due_at,
            "warnings": calendar.calendar_warnings(start, limits.handle_due_at),
        }


# Holidays and make-up working days (节假日与调休).


class CalendarDayForm(forms.ModelForm):
    is_workday = forms.TypedChoiceField(
        label=gettext_lazy("On this day"),
        choices=[
            (False, gettext_lazy("nobody works (holiday)")),
            (True, gettext_lazy("everybody works (make-up working day, 调休)")),
        ],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"name": gettext_lazy("For example 国庆节 or 春节调休.")}

    def save(self, commit: bool = True) -> CalendarDay:
        day = super().save(commit)
        # Deadlines read the calendar from a cache; forget it once the change is visible to all.
        transaction.on_commit(calendar.forget_overrides)
        return day


# Users and roles.


class UserFilter(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        widget=SearchInput(attrs={"placeholder": gettext_lazy("Username, name or phone")}),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[("", gettext_lazy("All roles")), *Role.choices],
        required=False,
    )
    unit = unit_filter(gettext_lazy("Unit"))
    state = state_filter()

    def users(self) -> QuerySet[User]:
        users = User.objects.select_related("unit").prefetch_related("role_grants")
        if not self.is_valid():
            return users.none()
        data = self.cleaned_data
        if text := data["q"].strip():
            users = users.filter(
                Q(username__icontains=text)
                | Q(full_name__icontains=text)
                | Q(phone__icontains=text)
            )
        if data["role"]:
            users = users.filter(role_grants__role=data["role"])
        if data["unit"]:
            users = users.filter(unit=data["unit"])
        return by_state(users, data["state"]).order_by("username")


class UserForm(forms.ModelForm):
    """A user's unit, roles and state; the roles are RoleGrant rows."""

    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    field_order = ["username", "full_name", "phone", "unit", "roles", "is_active"]

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "unit", "is_active"]
        field_classes = {"unit": UnitChoiceField}
        help_texts = {
            "username": gettext_lazy("What the person types to log in."),
            "unit": gettext_lazy(
                "Needed for a department handler: the unit whose orders they see."
            ),
            "is_active": gettext_lazy("An inactive user cannot log in any more."),
        }

    def __init__(self, *args, administrator: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.administrator = administrator
        self.fields["unit"].queryset = units_for_choice(self.instance.unit_id)
        self.fields["unit"].empty_label = _("No unit")
        if self.instance.pk:
            self.fields["username"].disabled = True
            self.initial["roles"] = sorted(self.instance.roles)

    def clean(self):
        data = super().clean()
        roles = set(data.get("roles") or [])
        if Role.HANDLER in roles and not data.get("unit"):
            self.add_error("unit", _("A department handler must belong to a unit."))
        if self.instance.pk and self.instance.pk == self.administrator.pk:
            # Nobody locks themselves, perhaps the last administrator, out of the settings.
            if Role.ADMINISTRATOR not in roles:
                self.add_error("roles", _("You cannot take the administrator role from yourself."))
            if data.get("is_active") is False:
                self.add_error("is_active", _("You cannot deactivate yourself."))
        return data

    def save(self, commit: bool = True) -> User:
        user = super().save()
        wanted = set(self.cleaned_data["roles"])
        held = set(user.role_grants.values_list("role", flat=True))
        user.role_grants.exclude(role__in=wanted).delete()
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in wanted - held])
        user._roles = None  # the roles property caches
        return user


class NewUserForm(UserForm):
    password = forms.CharField(
        label=gettext_lazy("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Tell it to the person; they can change it after logging in."),
    )
    password_again = forms.CharField(
        label=gettext_lazy("Initial password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta(UserForm.Meta):
        fields = ["username", "full_name", "phone", "unit"]

    def clean(self):
        data = super().clean()
        first, second = data.get("password"), data.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("The two passwords differ."))
        return data

    def _post_clean(self):
        super()._post_clean()
        # Validated once the instance carries the username, as Django's UserCreationForm does.
        password = self.cleaned_data.get("password")
        if password and "password_again" not in self.errors:
            try:
                password_validation.validate_password(password, self.instance)
            except ValidationError as error:
                self.add_error("password", error)

    def save(self, commit: bool = True) -> User:
        self.instance.set_password(self.cleaned_data["password"])
        return super().save(commit)


# Merged hotlines and special lines (归并热线与专线).


class HotlineFilter(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        widget=SearchInput(attrs={"placeholder": gettext_lazy("Number or name")}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("All kinds")), *Hotline.Kind.choices],
        required=False,
    )
    state = state_filter()

    def hotlines(self) -> QuerySet[Hotline]:
        lines = (
            Hotline.objects.select_related("unit")
            .annotate(order_count=Count("workorder"))
            .order_by("code")
        )
        if not self.is_valid():
            return lines.none()
        data = self.cleaned_data
        if text := data["q"].strip():
            lines = lines.filter(Q(code__icontains=text) | Q(name__icontains=text))
        if data["kind"]:
            lines = lines.filter(kind=data["kind"])
        return by_state(lines, data["state"])


class HotlineForm(forms.ModelForm):
    class Meta:
        model = Hotline
        fields = [
            "code",
            "name",
            "kind",
            "unit",
            "starts_at",
            "ends_at",
            "description",
            "is_active",
        ]
        field_classes = {"unit": UnitChoiceField}
        widgets = HOTLINE_WIDGETS
        help_texts = {
            "name": gettext_lazy("For example 防汛专线 or 高考咨询专线."),
            "code": gettext_lazy("The number callers dial, or a short code of the line."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for_choice(self.instance.unit_id)
        self.fields["unit"].empty_label = _("No unit")


class SpecialLineForm(HotlineForm):
    """A special line (专线) for an event, set up in one short form."""

    class Meta(HotlineForm.Meta):
        fields = ["name", "code", "unit", "starts_at", "ends_at", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = Hotline.Kind.SPECIAL
