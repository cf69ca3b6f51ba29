"""Excel exports of order lists, masked as the exporting user's role requires.

A list is written row by row in constant memory (XlsxWriter) by a background task that
records its progress, so a list of a hundred thousand orders shows a progress bar
instead of a request that times out.
"""

from __future__ import annotations

import logging
import tempfile

import xlsxwriter
from django.core.files import File
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from hotline.orders.lifecycle import Status
from hotline.orders.models import Channel
from hotline.orders.selectors import contact_for, search_orders
from hotline.orgs.models import RequestType, Urgency
from nlp.pii import mask

from .forms import SearchForm
from .models import Export

log = logging.getLogger("hotline.console")
PROGRESS_EVERY = 500


def columns():
    """(heading, value of an order) for each column; contact columns are masked per row."""
    local = timezone.localtime
    statuses, types = dict(Status.choices), dict(RequestType.choices)
    urgencies, channels = dict(Urgency.choices), dict(Channel.choices)
    return [
        (_("Number"), lambda o: o.number),
        (_("Registered at"), lambda o: local(o.registered_at).strftime("%Y-%m-%d %H:%M")),
        (_("Channel"), lambda o: str(channels.get(o.channel, o.channel))),
        (_("Request type"), lambda o: str(types.get(o.request_type, o.request_type))),
        (_("Category"), lambda o: o.category.name if o.category_id else ""),
        # A file leaves the handling chain: personal data in the free text is masked
        # for every role (the contact columns follow the role, below).
        (_("Title"), lambda o: mask(o.title)),
        (_("Content"), lambda o: mask(o.content)),
        (_("Area"), lambda o: o.area.name if o.area_id else ""),
        (_("Address"), lambda o: o.address),
        (_("Urgency"), lambda o: str(urgencies.get(o.urgency, o.urgency))),
        (_("Status"), lambda o: str(statuses.get(o.status, o.status))),
        (_("Lead unit"), lambda o: o.lead_unit.name if o.lead_unit_id else ""),
        (_("Deadline"), lambda o: local(o.due_at).strftime("%Y-%m-%d %H:%M") if o.due_at else ""),
        (_("Overdue"), lambda o: _("Yes") if o.is_overdue else ""),
        (_("Reply"), lambda o: mask(o.reply)),
        (_("Resolved"), lambda o: yes_no(o.is_resolved)),
        (_("Satisfied"), lambda o: yes_no(o.is_satisfied)),
    ]


def yes_no(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def orders_of(export: Export):
    form = SearchForm(QueryDict(export.query))
    form.is_valid()  # the query was valid when the export was asked for
    return search_orders(export.user, form.query()).select_related("category", "area", "lead_unit")


def write(export: Export) -> None:
    """Write the export's file, updating its progress as rows are written."""
    orders = orders_of(export)
    export.total = orders.count()
    export.state = Export.State.RUNNING
    export.save(update_fields=["total", "state"])
    cols = columns()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as temp:
        book = xlsxwriter.Workbook(temp.name, {"constant_memory": True})
        sheet = book.add_worksheet(_("Orders"))
        bold = book.add_format({"bold": True, "bg_color": "#EEF2F5"})
        sheet.write_row(
            0,
            0,
            [str(heading) for heading, _value in cols] + [_("Caller"), _("Caller phone")],
            bold,
        )
        sheet.freeze_panes(1, 0)
        for row, order in enumerate(orders.iterator(chunk_size=2000), start=1):
            values = [value(order) for _heading, value in cols]
            values += contact_for(export.user, order)
            sheet.write_row(row, 0, values)
            if row % PROGRESS_EVERY == 0:
                Export.objects.filter(pk=export.pk).update(done=row)
        book.close()
        name = f"orders-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
        with open(temp.name, "rb") as handle:
            export.file.save(name, File(handle), save=False)
    export.done = export.total
    export.state = Export.State.DONE
    export.finished_at = timezone.now()
    export.save()


@task()
def build_export(export_id: int, language: str = "zh-hans") -> None:
    export = Export.objects.select_related("user").get(pk=export_id)
    try:
        with override(language):
            write(export)
    except Exception as error:
        log.exception("export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            state=Export.State.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
        raise
