"""The console's one permission mechanism: a view names the roles that may open it."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _


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
