"""Background jobs of the knowledge base."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from hotline.errors import HotlineError

logger = logging.getLogger(__name__)


@task()
def expire_items() -> int:
    """Take published items past their validity out of search, and remind the owners of
    those about to expire; returns how many expired."""
    from . import pgsearch, search
    from .service import expire_due, remind_expiring

    remind_expiring()
    if search.backend() == "postgres":
        pgsearch.fill_missing()
    return expire_due()


@task()
def import_knowledge(job_id: int, language: str = "zh-hans") -> str:
    """Import the uploaded file of a ``KnowledgeImport``, recording progress as it goes;
    returns the state it ended in."""
    from django.utils import timezone, translation

    from .importing import import_file
    from .models import KnowledgeImport

    job = KnowledgeImport.objects.select_related("owner_unit", "by").get(pk=job_id)
    KnowledgeImport.objects.filter(pk=job.pk).update(state=KnowledgeImport.State.RUNNING)
    step = {"last": 0}

    def progress(done: int, total: int) -> None:
        if done == total or done - step["last"] >= max(1, total // 100):
            step["last"] = done
            KnowledgeImport.objects.filter(pk=job.pk).update(done=done, total=total)

    with translation.override(language), job.file.open("rb") as data:
        try:
            report = import_file(
                data,
                name=job.name,
                owner_unit=job.owner_unit,
                by=job.by,
                kind=job.kind or None,
                publish=job.publish,
                progress=progress,
            )
            state = KnowledgeImport.State.FAILED if report.error else KnowledgeImport.State.DONE
            result = report.as_dict()
        except HotlineError as error:  # a refusal (the role, the kind): the page says so
            state, result = KnowledgeImport.State.FAILED, {"error": error.render(), "skipped": []}
        except Exception:  # a bug: logged, and the page stops waiting
            logger.exception("knowledge import %s failed", job.pk)
            message = str(_("The import failed. Ask the administrator to look at the log."))
            state, result = KnowledgeImport.State.FAILED, {"error": message, "skipped": []}
    KnowledgeImport.objects.filter(pk=job.pk).update(
        state=state, report=result, finished_at=timezone.now()
    )
    return state
