"""Administration screens for a non-technical administrator (配置): the responsibility list,
time limits with a deadline preview, the holiday calendar, users and roles, hotlines.

Each screen is a list with search and filters, and a form whose errors stand next to its
fields. Nothing that orders reference is deleted here: it is switched off (``is_active``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.deadlines import calendar
from hotline.deadlines.models import CalendarDay, TimeLimitPolicy
from hotline.orgs.models import (
    Hotline,
    ResponsibilityRule,
    Role,
    User,
)

from ..forms.setup import (
    CalendarDayForm,
    HotlineFilter,
    HotlineForm,
    NewUserForm,
    PolicyFilter,
    PolicyForm,
    PreviewForm,
    RuleFilter,
    RuleForm,
    SpecialLineForm,
    UserFilter,
    UserForm,
)
from .access import role_required

PAGE_SIZE = 50
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years the calendar screen accepts, as the API does

administrator_only = role_required(Role.ADMINISTRATOR)


# Shared page mechanics: a filtered, paginated list and a form saved in one transaction.


def page_of(request, rows) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def list_page(request, template: str, filters: forms.Form, page: Page, **context):
    return render(
        request,
        template,
        {
            "filters": filters,
            "page": page,
            "query": query_without_page(request),
            "bench": "settings",
            **context,
        },
    )


def form_page(request, form: forms.Form, *, title: str, back: str, intro: str = "", links=()):
    """The one edit page of every screen; ``links`` are (url, label) of related pages."""
    return render(
        request,
        "console/setup/form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "intro": intro,
            "links": links,
            "bench": "settings",
        },
    )


def save_and_return(request, form: forms.ModelForm, back: str, message: str):
    """Save a valid form (with its many-to-many rows) in one transaction, then go back."""
    with transaction.atomic():
        row = form.save()
    messages.success(request, message % {"name": row})
    return redirect(back)


# Settings home.


@administrator_only
def home(request):
    year = timezone.localdate().year
    missing_years = [y for y in (year, year + 1) if not calendar.is_year_known(y)]
    counts = {
        "rules": ResponsibilityRule.objects.filter(is_active=True).count(),
        "policies": TimeLimitPolicy.objects.filter(is_active=True).count(),
        "users": User.objects.filter(is_active=True).count(),
        "hotlines": Hotline.open_now().count(),
    }
    return render(
        request,
        "console/setup/home.html",
        {"counts": counts, "missing_years": missing_years, "bench": "settings"},
    )


@administrator_only
def rules(request):
    filters = RuleFilter(request.GET)
    page = page_of(request, filters.rules())
    return list_page(request, "console/setup/rules.html", filters, page)


@administrator_only
def rule_edit(request, pk: int | None = None):
    rule = get_object_or_404(ResponsibilityRule, pk=pk) if pk else ResponsibilityRule()
    form = RuleForm(request.POST or None, instance=rule)
    back = reverse("console:settings-rules")
    if request.method == "POST" and form.is_valid():
        return save_and_return(request, form, back, _("Rule “%(name)s” saved."))
    title = _("Edit rule %(number)s") % {"number": rule.number} if pk else _("New rule")
    return form_page(request, form, title=title, back=back)


@administrator_only
def policies(request):
    filters = PolicyFilter(request.GET)
    preview_form = PreviewForm(initial={"start": timezone.localtime()})
    page = page_of(request, filters.policies())
    return list_page(
        request, "console/setup/policies.html", filters, page, preview_form=preview_form
    )


@administrator_only
def policy_edit(request, pk: int | None = None):
    policy = get_object_or_404(TimeLimitPolicy, pk=pk) if pk else TimeLimitPolicy()
    form = PolicyForm(request.POST or None, instance=policy)
    back = reverse("console:settings-policies")
    if request.method == "POST" and form.is_valid():
        return save_and_return(request, form, back, _("Time limit “%(name)s” saved."))
    title = _("Edit time limit") if pk else _("New time limit")
    intro = _(
        "A time limit applies to requests that match every criterion set; “any” matches "
        "everything. When several apply, the higher priority wins, then the most specific."
    )
    return form_page(request, form, title=title, back=back, intro=intro)


@administrator_only
def policy_preview(request):
    """The preview form and its answer; htmx swaps in the answer alone."""
    form = PreviewForm(request.GET or None, initial={"start": timezone.localtime()})
    context = {"preview_form": form, "preview": form.preview(), "bench": "settings"}
    if request.headers.get("HX-Request"):
        return render(request, "console/setup/partials/preview.html", context)
    return render(request, "console/setup/preview.html", context)


def chosen_year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


def runs_of(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days grouped as (first, last)."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def exceptions_in(year: int) -> tuple[list[tuple[date, date, int]], list[date]]:
    """The year as deadlines count it now: its holidays, each a run of days off that is more
    than a weekend (first, last, length), and its weekend days at work, so that the
    administrator can check them against the State Council's notice."""
    day, days_off, working_weekend_days = date(year, 1, 1), [], []
    while day.year == year:
        if calendar.is_workday(day):
            if day.weekday() >= 5:
                working_weekend_days.append(day)
        else:
            days_off.append(day)
        day += timedelta(days=1)
    holidays = [
        (first, last, (last - first).days + 1)
        for first, last in runs_of(days_off)
        if (last - first).days >= 2 or first.weekday() < 5 or last.weekday() < 5
    ]
    return holidays, working_weekend_days


@administrator_only
def calendar_days(request):
    year = chosen_year(request)
    holidays, working_weekend_days = exceptions_in(year)
    return render(
        request,
        "console/setup/calendar.html",
        {
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "days": CalendarDay.objects.filter(date__year=year),
            "is_known": calendar.is_year_known(year),
            "package_knows": calendar.package_knows(year),
            "holidays": holidays,
            "working_weekend_days": working_weekend_days,
            "bench": "settings",
        },
    )


@administrator_only
def calendar_day_edit(request, pk: int | None = None):
    day = get_object_or_404(CalendarDay, pk=pk) if pk else CalendarDay()
    form = CalendarDayForm(request.POST or None, instance=day)
    if request.method == "POST" and form.is_valid():
        back = reverse("console:settings-calendar") + f"?year={form.cleaned_data['date'].year}"
        return save_and_return(request, form, back, _("Calendar day “%(name)s” saved."))
    year = day.date.year if pk else chosen_year(request)
    back = reverse("console:settings-calendar") + f"?year={year}"
    title = _("Edit calendar day") if pk else _("New calendar day")
    intro = _(
        "Enter only the days that differ from an ordinary week: a holiday on a weekday, or a "
        "weekend day when everybody works."
    )
    return form_page(request, form, title=title, back=back, intro=intro)


@administrator_only
@require_POST
def calendar_day_delete(request, pk: int):
    """Removing an override lets the built-in calendar decide that day again."""
    day = get_object_or_404(CalendarDay, pk=pk)
    with transaction.atomic():
        day.delete()
        transaction.on_commit(calendar.forget_overrides)
    messages.success(request, _("Calendar day “%(name)s” removed.") % {"name": day})
    return redirect(reverse("console:settings-calendar") + f"?year={day.date.year}")


@administrator_only
def users(request):
    filters = UserFilter(request.GET)
    page = page_of(request, filters.users())
    return list_page(request, "console/setup/users.html", filters, page)


@administrator_only
def user_edit(request, pk: int | None = None):
    user = get_object_or_404(User, pk=pk) if pk else User()
    form_class = UserForm if pk else NewUserForm
    form = form_class(request.POST or None, instance=user, administrator=request.user)
    back = reverse("console:settings-users")
    if request.method == "POST" and form.is_valid():
        return save_and_return(request, form, back, _("User “%(name)s” saved."))
    if not pk:
        return form_page(request, form, title=_("New user"), back=back)
    links = [(reverse("console:settings-user-password", args=[pk]), _("Reset the password"))]
    title = _("Edit user %(name)s") % {"name": user}
    return form_page(request, form, title=title, back=back, links=links)


@administrator_only
def user_password(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    form = SetPasswordForm(person, request.POST or None)
    back = reverse("console:settings-users")
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        if person.pk == request.user.pk:
            update_session_auth_hash(request, person)  # stay logged in
        messages.success(request, _("Password of “%(name)s” reset.") % {"name": person})
        return redirect(back)
    intro = _("The person's other sessions end; tell them the new password.")
    title = _("Reset the password of %(name)s") % {"name": person}
    return form_page(request, form, title=title, back=back, intro=intro)


def line_state(line: Hotline, now: datetime) -> tuple[str, str]:
    """The light colour and the words for whether a line takes calls now."""
    if not line.is_active:
        return "none", _("Switched off")
    if line.is_open(now):
        return "green", _("Open")
    if line.starts_at and now < line.starts_at:
        return "amber", _("Opens later")
    return "none", _("Window over")


@administrator_only
def hotlines(request):
    filters = HotlineFilter(request.GET)
    page = page_of(request, filters.hotlines())
    now = timezone.now()
    rows = [(line, *line_state(line, now)) for line in page.object_list]
    return list_page(request, "console/setup/hotlines.html", filters, page, rows=rows)


@administrator_only
def hotline_new(request):
    form = SpecialLineForm(request.POST or None)
    back = reverse("console:settings-hotlines")
    if request.method == "POST" and form.is_valid():
        return save_and_return(request, form, back, _("Special line “%(name)s” set up."))
    intro = _(
        "A special line takes calls about one event, such as a flood or an exam, for a while. "
        "Leave “open until” empty to keep it open until you switch it off."
    )
    return form_page(request, form, title=_("New special line"), back=back, intro=intro)


@administrator_only
def hotline_edit(request, pk: int):
    line = get_object_or_404(Hotline, pk=pk)
    form = HotlineForm(request.POST or None, instance=line)
    back = reverse("console:settings-hotlines")
    if request.method == "POST" and form.is_valid():
        return save_and_return(request, form, back, _("Hotline “%(name)s” saved."))
    return form_page(request, form, title=_("Edit hotline %(name)s") % {"name": line}, back=back)


@administrator_only
@require_POST
def hotline_switch(request, pk: int):
    """Switch a line on or off; the button says which, so a second click changes nothing."""
    is_active = request.POST.get("is_active") == "on"
    with transaction.atomic():
        line = get_object_or_404(Hotline.objects.select_for_update(), pk=pk)
        line.is_active = is_active
        line.save(update_fields=["is_active"])
    message = _("“%(name)s” is switched on.") if is_active else _("“%(name)s” is switched off.")
    messages.success(request, message % {"name": line})
    return redirect(reverse("console:settings-hotlines") + "?" + request.POST.get("query", ""))


urlpatterns = [
    path("", home, name="settings"),
    path("rules/", rules, name="settings-rules"),
    path("rules/new", rule_edit, name="settings-rule-new"),
    path("rules/<int:pk>/", rule_edit, name="settings-rule-edit"),
    path("policies/", policies, name="settings-policies"),
    path("policies/new", policy_edit, name="settings-policy-new"),
    path("policies/<int:pk>/", policy_edit, name="settings-policy-edit"),
    path("policies/preview", policy_preview, name="settings-policy-preview"),
    path("calendar/", calendar_days, name="settings-calendar"),
    path("calendar/new", calendar_day_edit, name="settings-calendar-new"),
    path("calendar/<int:pk>/", calendar_day_edit, name="settings-calendar-edit"),
    path("calendar/<int:pk>/delete", calendar_day_delete, name="settings-calendar-delete"),
    path("users/", users, name="settings-users"),
    path("users/new", user_edit, name="settings-user-new"),
    path("users/<int:pk>/", user_edit, name="settings-user-edit"),
    path("users/<int:pk>/password", user_password, name="settings-user-password"),
    path("hotlines/", hotlines, name="settings-hotlines"),
    path("hotlines/new", hotline_new, name="settings-hotline-new"),
    path("hotlines/<int:pk>/", hotline_edit, name="settings-hotline-edit"),
    path("hotlines/<int:pk>/switch", hotline_switch, name="settings-hotline-switch"),
]
