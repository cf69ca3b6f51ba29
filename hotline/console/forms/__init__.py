"""Forms of the console: the intake form, the action forms and the order search."""

from __future__ import annotations

import uuid

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from hotline.orders.lifecycle import LABELS, TRANSITIONS, Status
from hotline.orders.models import Channel, EmergencyService
from hotline.orders.selectors import OrderQuery
from hotline.orders.service import MAX_EXTENSION_DAYS
from hotline.orgs.models import Area, Category, Hotline, RequestType, Unit, Urgency

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class QuickSelect(forms.Select):
    """A select whose options are written in Python: Django's per-option templates cost
    about a millisecond per ten options, and the console's unit and area lists are long."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"],
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    pass


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class CodeField(forms.CharField):
    """A code typed or picked in the page, turned into its row (or None when empty)."""

    def __init__(self, model, *args, **kwargs):
        self.model = model
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        found = self.model.objects.filter(code=value).first()
        if found is None:
            raise forms.ValidationError(_("Unknown code “%(code)s”."), params={"code": value})
        return found


class IntakeForm(forms.Form):
    """What the operator types while the citizen speaks (受理)."""

    token = forms.CharField(widget=forms.HiddenInput)  # one order per form, however often sent
    caller_phone = forms.CharField(label=_("Caller phone"), max_length=30, required=False)
    caller_name = forms.CharField(label=_("Caller name"), max_length=50, required=False)
    caller_kind = forms.ChoiceField(
        label=_("Caller kind"),
        choices=[("person", _("Person")), ("company", _("Company"))],
        initial="person",
        widget=forms.RadioSelect,
    )
    company_name = forms.CharField(label=_("Company name"), max_length=100, required=False)
    hotline = CodeField(Hotline, label=_("Hotline"))
    request_type = forms.ChoiceField(
        label=_("Request type"), choices=RequestType.choices, widget=forms.RadioSelect
    )
    category = CodeField(Category, label=_("Category"), widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(label=_("Content"), max_length=20000, widget=forms.Textarea)
    area = CodeField(Area, label=_("Area"))
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    is_confidential = forms.BooleanField(label=_("Caller asks for confidentiality"), required=False)
    answer = forms.CharField(
        label=_("Answer given on the phone"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to resolve directly."),
    )
    transfer_to = forms.ChoiceField(
        label=_("Transfer to"), choices=[("", "—"), *EmergencyService.choices], required=False
    )
    transfer_reference = forms.CharField(
        label=_("Emergency service reference"), max_length=50, required=False
    )
    # What the draft suggested (filled by the page), to record the operator's corrections.
    draft_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    draft_request_type = forms.CharField(required=False, widget=forms.HiddenInput)
    draft_category = forms.CharField(required=False, widget=forms.HiddenInput)
    draft_area = forms.CharField(required=False, widget=forms.HiddenInput)
    # The knowledge item whose answer was inserted, and its place among the suggestions.
    knowledge_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    knowledge_rank = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hotline"].widget = QuickSelect(
            choices=[("", _("12345 (main line)"))] + [(h.code, str(h)) for h in Hotline.open_now()]
        )
        self.fields["area"].widget = QuickSelect(choices=area_choices())
        if not self.is_bound and "token" not in self.initial:
            self.initial["token"] = uuid.uuid4().hex

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lng") is None):
            self.add_error("address", _("Pick the place again on the map."))
        if data.get("caller_kind") == "company" and not data.get("company_name"):
            self.add_error("company_name", _("Give the company's name."))
        return data


def area_choices() -> list[tuple[str, str]]:
    """Districts and streets, indented, for a select; communities are typed as addresses."""
    rows = Area.objects.filter(level__in=[Area.Level.DISTRICT, Area.Level.STREET]).order_by("path")
    choices = [("", "—")]
    for area in rows.only("code", "name", "level"):
        prefix = "\u3000" if area.level == Area.Level.STREET else ""
        choices.append((area.code, prefix + area.name))
    return choices


def unit_choices() -> list[tuple[str, str]]:
    return [(u.code, u.name) for u in Unit.objects.filter(is_active=True).order_by("kind", "name")]


# Labels of the note field per action: what the user is asked for.
NOTE_LABELS = {
    "reply": _("Reply to the citizen"),
    "resolve_directly": _("Answer given"),
    "return_order": _("Why is it not your unit's?"),
    "request_extension": _("Why do you need more time?"),
    "send_back": _("What must be redone?"),
    "reopen": _("Why reopen?"),
    "refuse_extension": _("Why refuse?"),
}


class ActionForm(forms.Form):
    """One lifecycle action with what it needs; fields appear per action."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, action: str, *args, units: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        row = TRANSITIONS[action]
        note = self.fields["note"]
        note.label = NOTE_LABELS.get(action, _("Note"))
        note.required = row.needs_reason
        if action == "reply":
            note.widget.attrs["rows"] = 6
            self.fields["files"] = MultipleFileField(
                label=_("Attachments (photos, documents)"), required=False
            )
        if action in ("dispatch", "redispatch"):
            units = unit_choices() if units is None else units
            self.fields["lead_unit"] = forms.ChoiceField(
                label=_("Lead unit"), choices=[("", "—")] + units, widget=QuickSelect
            )
            self.fields["co_units"] = forms.MultipleChoiceField(
                label=_("Co-units"),
                choices=units,
                required=False,
                widget=QuickSelectMultiple(attrs={"size": 4}),
            )
        if action in ("request_extension", "approve_extension"):
            self.fields["days"] = forms.IntegerField(
                label=_("Working days"),
                min_value=1,
                max_value=MAX_EXTENSION_DAYS,
                required=action == "request_extension",
            )
        if action == "callback":
            self.fields["is_resolved"] = forms.ChoiceField(
                label=_("Was the problem resolved?"), choices=YES_NO, widget=forms.RadioSelect
            )
            self.fields["is_satisfied"] = forms.ChoiceField(
                label=_("Is the caller satisfied?"), choices=YES_NO, widget=forms.RadioSelect
            )
        if action == "merge":
            self.fields["into"] = forms.CharField(label=_("Merge into order number"), max_length=20)
        if action == "relate":
            self.fields["other"] = forms.CharField(label=_("Related order number"), max_length=20)
        if action == "transfer_emergency":
            self.fields["service"] = forms.ChoiceField(
                label=_("Transferred to"), choices=EmergencyService.choices
            )
            self.fields["reference"] = forms.CharField(
                label=_("Their reference number"), max_length=50, required=False
            )
        # The note comes last: it is what one types after choosing.
        self.order_fields([name for name in self.fields if name != "note"] + ["note"])

    @property
    def label(self) -> str:
        return LABELS[self.action]

    def params(self) -> dict:
        """The service's keyword arguments from the cleaned form."""
        data = self.cleaned_data
        params = {}
        for name in ("lead_unit", "co_units", "days", "into", "other", "service", "reference"):
            if data.get(name) not in (None, "", []):
                params[name] = data[name]
        for name in ("is_resolved", "is_satisfied"):
            if name in data:
                params[name] = data[name] == "yes"
        return params


class SearchForm(forms.Form):
    """The filters of the order list; every field is optional."""

    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=Status.choices,
        required=False,
        widget=QuickSelectMultiple(attrs={"size": 4}),
    )
    request_type = forms.ChoiceField(
        label=_("Request type"), choices=[("", "—")] + RequestType.choices, required=False
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("", "—")] + Urgency.choices, required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", "—")] + Channel.choices, required=False
    )
    category = CodeField(Category, label=_("Category code"))
    area = CodeField(Area, label=_("Area"))
    lead_unit = CodeField(Unit, label=_("Lead unit"))
    caller_phone = forms.CharField(label=_("Caller phone"), required=False, max_length=30)
    is_overdue = forms.NullBooleanField(
        label=_("Overdue"),
        required=False,
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    registered_from = forms.DateField(
        label=_("Registered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    registered_to = forms.DateField(
        label=_("Registered until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].widget = QuickSelect(choices=area_choices())
        self.fields["lead_unit"].widget = QuickSelect(choices=[("", "—")] + unit_choices())

    def query(self) -> OrderQuery:
        data = self.cleaned_data
        return OrderQuery(
            status=data.get("status") or None,
            request_type=data.get("request_type") or None,
            urgency=data.get("urgency") or None,
            channel=data.get("channel") or None,
            category=data.get("category"),
            area=data.get("area"),
            lead_unit=data.get("lead_unit"),
            caller_phone=data.get("caller_phone") or None,
            is_overdue=data.get("is_overdue"),
            registered_from=data.get("registered_from"),
            registered_to=data.get("registered_to"),
            q=data.get("q") or None,
        )
