"""Forms of the knowledge workbench: an item and its text, a review decision, a
collaboration request, feedback on an answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.knowledge.models import FIELD_LABELS, KIND_FIELDS, Kind, KnowledgeItem
from hotline.orgs.models import Area, Unit

from . import QuickSelect, QuickSelectMultiple

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def kinds_with(name: str) -> str:
    """The kinds that carry the detail ``name``, for the page to show it only for them."""
    return " ".join(kind for kind, names in KIND_FIELDS.items() if name in names)


class ItemForm(forms.Form):
    """A new item, or the next text of one: title, text and the kind's own details."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))
    owner_unit = forms.ModelChoiceField(
        label=_("Owner unit"), queryset=Unit.objects.filter(is_active=True), widget=QuickSelect
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas where it applies"),
        queryset=Area.objects.order_by("path"),
        required=False,
        widget=QuickSelectMultiple(attrs={"size": 6}),
        help_text=_("None chosen: the whole city."),
    )
    tags = forms.CharField(label=_("Tags"), max_length=255, required=False)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("What changed"), max_length=255, required=False)

    def __init__(self, *args, item: KnowledgeItem | None = None, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in FIELD_LABELS.items():
            self.fields[f"field_{name}"] = forms.CharField(
                label=label,
                required=False,
                max_length=2000,
                widget=forms.TextInput(attrs={"data-kinds": kinds_with(name)}),
            )
        if item is not None:  # a revision: kind and owner stay
            self.fields["kind"].disabled = True
            self.fields["owner_unit"].disabled = True
        elif unit is not None:  # a unit's handler writes for the unit
            self.fields["owner_unit"].queryset = Unit.objects.filter(pk=unit.pk)
            self.fields["owner_unit"].initial = unit

    def kind_fields(self) -> dict:
        """The details the chosen kind carries; the inputs of other kinds are ignored."""
        kind = self.cleaned_data["kind"]
        return {
            name: self.cleaned_data[f"field_{name}"]
            for name in KIND_FIELDS[Kind(kind)]
            if self.cleaned_data.get(f"field_{name}")
        }

    def detail_fields(self):
        return [self[f"field_{name}"] for name in FIELD_LABELS]


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("What must change"), max_length=255, required=False)


class AskForm(forms.Form):
    """A collaboration request (知识库协作函) to a unit."""

    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.filter(is_active=True), widget=QuickSelect
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(label=_("What is needed"), widget=forms.Textarea(attrs={"rows": 4}))
    due_at = forms.DateTimeField(
        label=_("Deadline"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class FeedbackForm(forms.Form):
    is_helpful = forms.TypedChoiceField(
        choices=[("1", _("Helpful")), ("0", _("Wrong"))], coerce=lambda value: value == "1"
    )
    comment = forms.CharField(label=_("What is wrong"), max_length=255, required=False)


class KnowledgeFilter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *Kind.choices])
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", "—"), ("review", _("In review")), *KnowledgeItem.Status.choices],
    )


class ImportForm(forms.Form):
    """A file of existing knowledge to import (xlsx, csv, docx, pdf)."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx), CSV, Word (.docx) or PDF, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.docx,.pdf"}),
    )
    owner_unit = forms.ModelChoiceField(
        label=_("Owner unit"),
        queryset=Unit.objects.filter(is_active=True),
        widget=QuickSelect,
        help_text=_("For rows that name no unit."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("As each row says; else FAQ")), *Kind.choices],
        required=False,
    )
    publish = forms.BooleanField(
        label=_("Publish at once (knowledge already reviewed elsewhere)"), required=False
    )

    def __init__(self, *args, unit=None, may_publish=False, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:
            self.fields["owner_unit"].queryset = Unit.objects.filter(pk=unit.pk)
            self.fields["owner_unit"].initial = unit
        if not may_publish:
            del self.fields["publish"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
