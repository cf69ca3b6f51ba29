"""The console's one permission mechanism: a view names the roles that may open it."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import render
from django.utils.translation import gettext as _

from hotline.orgs.models import Role


def role_required(*roles: str):
    """Only logged-in users holding one of ``roles`` open the view; others get a 403 page."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if roles and not request.user.has_role(*roles):
                return refused(request, _("Your role may not open this page."), status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def refused(request, message: str, status: int = 400):
    """A readable refusal, as a page or (for htmx) a fragment the toast shows."""
    return render(request, "console/refused.html", {"message": message}, status=status)


def csrf_failure(request, reason: str = ""):
    """A form sent from a page that is too old: say so, in the user's language."""
    return refused(
        request,
        _(
            "This page has expired. Reload it and send again; what you typed in the intake "
            "form is kept in this browser."
        ),
        status=403,
    )


def login(request):
    """Django's log-in page; with the demo city it also lists the demo accounts."""
    context = {}
    if settings.HOTLINE_DEMO_LOGINS:
        from hotline.demo.city import DEMO_PASSWORD, USERS, demo_handler_units

        people = [(username, name, roles[0].label) for username, name, roles, _unit in USERS]
        people += [
            (f"handler_{unit.code}", unit.name, Role.HANDLER.label) for unit in demo_handler_units()
        ]
        context = {"demo_logins": people, "demo_password": DEMO_PASSWORD}
    return LoginView.as_view(extra_context=context)(request)
