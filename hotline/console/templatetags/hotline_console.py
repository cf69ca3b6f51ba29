"""Template filters of the console: the names users read for lifecycle codes."""

from django import template
from django.utils.translation import gettext_lazy as _

from hotline.orders.lifecycle import LABELS, REGISTER, Status

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    if action == REGISTER:
        return str(_("Registered"))
    return str(LABELS.get(action, action))


@register.filter
def status_label(status: str) -> str:
    try:
        return str(Status(status).label)
    except ValueError:
        return status
