"""Forms of the citizen's pages: a request with place, photo and contact; the look-up of an
order by number and phone; the rating of the result. A small sum to solve and a field
people never see keep scripts out; each challenge can be answered once."""

from __future__ import annotations

import random
import re
import secrets

from django import forms
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from hotline.intake.channels import PHOTO_TYPES
from hotline.orders.models import Satisfaction
from hotline.orgs.models import RequestType

MAX_DESCRIPTION = 4000
CHALLENGE_SALT = "citizen-challenge"
CHALLENGE_SECONDS = 30 * 60
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
DIGITS = "零一二三四五六七八九"
CITIZEN_TYPES = [
    (RequestType.HELP, _("Ask for help (求助)")),
    (RequestType.COMPLAINT, _("Complain (投诉)")),
    (RequestType.CONSULTATION, _("Ask a question (咨询)")),
    (RequestType.SUGGESTION, _("Suggest (建议)")),
    (RequestType.REPORT, _("Report wrongdoing (举报)")),
]


def new_challenge() -> tuple[str, str]:
    """A question a person answers at a glance, and its signed answer."""
    a, b = random.randint(1, 9), random.randint(1, 9)
    question = _("What is %(a)s plus %(b)s? (digits)") % {"a": DIGITS[a], "b": DIGITS[b]}
    token = signing.dumps({"answer": a + b, "nonce": secrets.token_hex(8)}, salt=CHALLENGE_SALT)
    return str(question), token


def clean_phone(value: str) -> str:
    phone = re.sub(r"[\s()（）]", "", value or "")
    if not PHONE.match(phone):
        raise forms.ValidationError(
            _("Enter a mobile number (11 digits) or a landline with its area code.")
        )
    return phone


class ChallengeMixin(forms.Form):
    challenge = forms.CharField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("Check"), max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    # People never see this field; scripts fill every field they find.
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        token, answer = cleaned.get("challenge"), (cleaned.get("answer") or "").strip()
        if cleaned.get("website") or not token:
            self.add_error(None, _("The form could not be sent; reload the page."))
            return cleaned
        try:
            expected = signing.loads(token, salt=CHALLENGE_SALT, max_age=CHALLENGE_SECONDS)
        except signing.SignatureExpired:
            self.add_error("answer", _("The check expired; answer the new one."))
            return cleaned
        except signing.BadSignature:
            self.add_error(None, _("The form could not be sent; reload the page."))
            return cleaned
        if answer != str(expected["answer"]):
            self.add_error("answer", _("The answer to the check is wrong."))
        elif not cache.add(f"challenge:{expected['nonce']}", 1, CHALLENGE_SECONDS * 2):
            self.add_error("answer", _("This form was sent already; answer the new check."))
        return cleaned


class ReportForm(ChallengeMixin):
    request_type = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=CITIZEN_TYPES,
        initial=RequestType.HELP,
        widget=forms.RadioSelect,
    )
    service = forms.ChoiceField(label=_("Matter"), required=False)
    description = forms.CharField(
        label=_("What happened?"),
        max_length=MAX_DESCRIPTION,
        min_length=5,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Where, since when, what you ask for. At most 4,000 characters."),
    )
    address = forms.CharField(
        label=_("Place"),
        max_length=255,
        required=False,
        help_text=_("Type the address, or tap the map."),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(PHOTO_TYPES.values()))}),
    )
    name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Mobile or phone number"),
        max_length=30,
        help_text=_("To call you back and to follow your request; it is never published."),
    )
    is_confidential = forms.BooleanField(label=_("Do not publish my request"), required=False)

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("Not sure: the hotline decides")), *services]

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("lat") is None) != (cleaned.get("lng") is None):
            self.add_error("address", _("Tap the map again to mark the place."))
        return cleaned


class TrackForm(forms.Form):
    number = forms.CharField(label=_("Order number"), max_length=20)
    phone = forms.CharField(label=_("The phone number you gave"), max_length=30)

    def clean_number(self):
        return self.cleaned_data["number"].strip()

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class RatingForm(forms.Form):
    is_resolved = forms.TypedChoiceField(
        label=_("Was the problem solved?"),
        choices=[("yes", _("Solved")), ("no", _("Not solved"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything to add"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
