"""Search and lists of orders: filters, full text, saved filters, Excel export."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hotline.errors import HotlineError
from hotline.orders.selectors import OrderQuery, search_orders

from .. import queues
from ..exports import build_export
from ..forms import SearchForm
from ..models import Export, SavedFilter
from .access import refused
from .orders import contact_of

PAGE_SIZE = 50


def query_string(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def orders(request):
    """The order list with every filter; htmx refreshes the results alone."""
    form = SearchForm(request.GET or None)
    results = None
    if not request.GET or form.is_valid():
        query = form.query() if request.GET else OrderQuery()
        try:
            found = search_orders(request.user, query).select_related(
                "category", "area", "lead_unit"
            )
        except HotlineError as error:
            form.add_error("caller_phone", error.render())
        else:
            page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
            now = timezone.now()
            results = {
                "page": page,
                "rows": [
                    (order, queues.light(order, now), contact_of(request.user, order))
                    for order in page.object_list
                ],
            }
    context = {
        "form": form,
        "results": results,
        "query": query_string(request),
        "saved": SavedFilter.objects.filter(user=request.user),
        "exports": Export.objects.filter(user=request.user)[:5],
        "bench": "orders",
    }
    if request.headers.get("HX-Target") == "results":
        return render(request, "console/partials/results.html", context)
    return render(request, "console/orders.html", context)


@login_required
def save_filter(request):
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:60]
        query = request.POST.get("query", "")[:2000]
        if not name:
            messages.error(request, _("Give the filter a name."))
        else:
            try:
                SavedFilter.objects.update_or_create(
                    user=request.user, name=name, defaults={"query": query}
                )
            except IntegrityError:
                messages.error(request, _("A filter of this name exists."))
            else:
                messages.success(request, _("Filter “%(name)s” saved.") % {"name": name})
        return redirect(f"/console/orders/?{query}")
    return redirect("console:orders")


@login_required
def delete_filter(request, pk: int):
    if request.method == "POST":
        SavedFilter.objects.filter(user=request.user, pk=pk).delete()
    return redirect("console:orders")


@login_required
def export(request):
    """Ask for an Excel file of what the filter shows; it is built in the background."""
    if request.method != "POST":
        return redirect("console:orders")
    query = request.POST.get("query", "")[:2000]
    form = SearchForm(QueryDict(query))
    if not form.is_valid():
        return refused(request, _("Correct the filter first."))
    try:
        count = search_orders(request.user, form.query()).count()
    except HotlineError as error:
        return refused(request, error.render(), status=error.status)
    if count > settings.HOTLINE_EXPORT_MAX_ROWS:
        return refused(
            request,
            _("The list has %(count)s orders; narrow it to at most %(max)s to export.")
            % {"count": count, "max": settings.HOTLINE_EXPORT_MAX_ROWS},
        )
    job = Export.objects.create(user=request.user, query=query, total=count)
    build_export.enqueue(job.pk, get_language())
    return redirect("console:export", pk=job.pk)


@login_required
def export_status(request, pk: int):
    """The export's progress; the page polls it until the file is ready."""
    job = get_object_or_404(Export, pk=pk, user=request.user)
    template = (
        "console/partials/export.html"
        if request.headers.get("HX-Request")
        else "console/export.html"
    )
    return render(request, template, {"job": job, "bench": "orders"})


@login_required
def export_file(request, pk: int):
    job = get_object_or_404(Export, pk=pk, user=request.user, state=Export.State.DONE)
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"工单-{timezone.localtime(job.created_at):%Y%m%d-%H%M%S}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
