"""The JSON API: one NinjaAPI, shared authentication and one error format.

Every error is ``{"error": {"code", "message", "message_zh", "message_en", "details"}}``
with a stable ``code``; ``message`` is in the language the request asked for.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from hotline.errors import HotlineError, render_message
from hotline.orgs.models import ApiToken

log = logging.getLogger("hotline.api")


class TokenAuth(HttpBearer):
    """``Authorization: Bearer hl_...``: a personal API token (see ``hotline token``)."""

    def authenticate(self, request: HttpRequest, token: str):
        found = (
            ApiToken.objects.select_related("user", "user__unit")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="12345 Hotline API",
    version="1.0",
    description="Work orders, organisation, deadlines and indicators of a 12345 hotline centre.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


def error_body(code: str, message, details: dict | None = None) -> dict:
    def render(language: str) -> str:
        with translation.override(language):
            return render_message(message, details)

    return {
        "error": {
            "code": code,
            "message": render(translation.get_language() or "zh-hans"),
            "message_zh": render("zh-hans"),
            "message_en": render("en"),
            "details": {k: str(v) for k, v in (details or {}).items()},
        }
    }


GENERIC_ERRORS = {
    400: ("bad_request", _("The request could not be understood.")),
    401: ("not_authenticated", _("Log in or send a valid API token.")),
    403: ("forbidden", _("You may not do this.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    413: ("too_large", _("The request is too large.")),
    429: ("too_many_requests", _("Too many requests; wait a minute and try again.")),
}


@api.exception_handler(HotlineError)
def on_hotline_error(request, exc: HotlineError):
    return api.create_response(
        request, error_body(exc.code, exc.message, exc.details), status=exc.status
    )


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    body = error_body("invalid_input", _("Some fields are missing or invalid."))
    body["error"]["fields"] = [
        {
            # loc is (where, argument name, field...): keep the field's own path
            "field": ".".join(str(part) for part in error.get("loc", [])[2:])
            or ".".join(str(part) for part in error.get("loc", [])[1:]),
            "message": error.get("msg", ""),
        }
        for error in exc.errors
    ]
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return api.create_response(request, error_body(*GENERIC_ERRORS[401]), status=401)


@api.exception_handler(DataError)
def on_data_error(request, exc: DataError):
    # The database refused a value the schema let through (a NUL character, a number out
    # of range): the client's input, not our fault; the transaction was rolled back.
    return api.create_response(
        request,
        error_body(
            "invalid_value",
            _(
                "A value cannot be stored or searched (a control character or a number out "
                "of range?)."
            ),
        ),
        status=400,
    )


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    # A body above DATA_UPLOAD_MAX_MEMORY_SIZE: Django refuses to read it.
    return api.create_response(request, error_body(*GENERIC_ERRORS[413]), status=413)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body(*GENERIC_ERRORS[404]), status=404)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    code, message = GENERIC_ERRORS.get(exc.status_code, ("http_error", str(exc.message)))
    return api.create_response(request, error_body(code, message), status=exc.status_code)


@api.exception_handler(Exception)
def on_unexpected(request, exc: Exception):
    log.exception("unexpected error on %s %s", request.method, request.path)
    return api.create_response(
        request,
        error_body("internal_error", _("Something went wrong on our side; nothing was saved.")),
        status=500,
    )


def json_errors(get_response):
    """Middleware: under /api/, an error Django or ninja answered in plain text becomes JSON."""

    def middleware(request: HttpRequest):
        response = get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = GENERIC_ERRORS.get(
                response.status_code,
                ("internal_error", _("Something went wrong on our side; nothing was saved.")),
            )
            status = response.status_code
            response = JsonResponse(error_body(code, message), status=status)
        return response

    return middleware


@api.get("/health", auth=None, tags=["system"])
def health(request):
    """Liveness check for load balancers."""
    return {"status": "ok", "time": timezone.now()}


def register_routers() -> None:
    from hotline.deadlines.api import router as deadlines_router
    from hotline.intake.api import router as intake_router
    from hotline.knowledge.api import router as knowledge_router
    from hotline.orders.api import indicators_router, lifecycle_router, notices_router
    from hotline.orders.api import router as orders_router
    from hotline.orgs.api import router as orgs_router

    api.add_router("/", orgs_router)
    api.add_router("/deadlines", deadlines_router)
    api.add_router("/orders", orders_router)
    api.add_router("/lifecycle", lifecycle_router)
    api.add_router("/indicators", indicators_router)
    api.add_router("/notices", notices_router)
    api.add_router("/intake", intake_router)
    api.add_router("/knowledge", knowledge_router)


register_routers()
