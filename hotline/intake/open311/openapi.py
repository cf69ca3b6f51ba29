"""The Open311 routes as an OpenAPI 3 document, served at ``/open311/v2/openapi.json``: a
map for client developers and the input of the fuzz tests (schemathesis)."""

from __future__ import annotations

PREFIX = "/open311/v2"


def text(name: str, description: str = "", **schema) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


FMT = {
    "name": "fmt",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": ["json", "xml"]},
}
JURISDICTION = text("jurisdiction_id", "Optional: this server serves one jurisdiction.")
ANSWERS = {
    str(status): {"description": description}
    for status, description in [
        (200, "OK"),
        (400, "The spec's error list"),
        (403, "Missing or invalid api_key"),
        (404, "Not found"),
        (413, "Too large"),
        (429, "Too many requests"),
    ]
}
REQUEST_FIELDS = {
    "api_key": {"type": "string"},
    "jurisdiction_id": {"type": "string"},
    "service_code": {"type": "string"},
    "lat": {"type": "string"},
    "long": {"type": "string"},
    "address_string": {"type": "string"},
    "address_id": {"type": "string"},
    "email": {"type": "string"},
    "device_id": {"type": "string"},
    "account_id": {"type": "string"},
    "first_name": {"type": "string"},
    "last_name": {"type": "string"},
    "phone": {"type": "string"},
    "description": {"type": "string"},
    "media_url": {"type": "string"},
    "attribute[request_type]": {"type": "string"},
}
UPDATE_FIELDS = {
    "api_key": {"type": "string"},
    "service_request_id": {"type": "string"},
    "update_id": {"type": "string"},
    "status": {"type": "string"},
    "updated_datetime": {"type": "string"},
    "description": {"type": "string"},
    "first_name": {"type": "string"},
    "last_name": {"type": "string"},
    "email": {"type": "string"},
}
WINDOW = [
    text("start_date", "w3 datetime; at most 90 days before end_date"),
    text("end_date", "w3 datetime"),
    text("page", "1 and up"),
    text("page_size", "at most the server's limit (1000)"),
]


def get(summary: str, *parameters: dict) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": [FMT, JURISDICTION, *parameters],
            "responses": ANSWERS,
        }
    }


def form(fields: dict, with_media: bool = False) -> dict:
    content = {
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": fields}}
    }
    if with_media:
        content["multipart/form-data"] = {
            "schema": {
                "type": "object",
                "properties": {**fields, "media": {"type": "string", "format": "binary"}},
            }
        }
    return {"required": True, "content": content}


def path_text(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def document() -> dict:
    requests = get(
        "List requests (the last 90 days, newest first)",
        text("service_request_id", "comma list; overrides the other arguments"),
        text("service_code", "comma list"),
        text("status", "open, closed or both, comma list"),
        text("extensions", "true adds notes and extended_attributes"),
        *WINDOW,
    )
    requests["post"] = {
        "summary": "Post a request (api_key required)",
        "parameters": [FMT],
        "requestBody": form(REQUEST_FIELDS, with_media=True),
        "responses": ANSWERS,
    }
    updates = get("Public updates of requests (FixMyStreet extension)", *WINDOW)
    updates["post"] = {
        "summary": "Add an update to a request (api_key required)",
        "parameters": [FMT],
        "requestBody": form(UPDATE_FIELDS),
        "responses": ANSWERS,
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "12345 Hotline Open311 GeoReport v2",
            "version": "2",
            "description": "Open311 GeoReport v2 with paging, photos, notes and "
            "FixMyStreet's servicerequestupdates. Every route answers in .json or .xml.",
        },
        "paths": {
            f"{PREFIX}/discovery.{{fmt}}": get("Service discovery"),
            f"{PREFIX}/services.{{fmt}}": get("List services"),
            f"{PREFIX}/services/{{code}}.{{fmt}}": {
                "get": {
                    "summary": "Service definition",
                    "parameters": [path_text("code"), FMT, JURISDICTION],
                    "responses": ANSWERS,
                }
            },
            f"{PREFIX}/requests.{{fmt}}": requests,
            f"{PREFIX}/requests/{{number}}.{{fmt}}": {
                "get": {
                    "summary": "One request",
                    "parameters": [path_text("number"), FMT, JURISDICTION],
                    "responses": ANSWERS,
                }
            },
            f"{PREFIX}/tokens/{{token}}.{{fmt}}": {
                "get": {
                    "summary": "The request id of a batch token",
                    "parameters": [path_text("token"), FMT, JURISDICTION],
                    "responses": ANSWERS,
                }
            },
            f"{PREFIX}/servicerequestupdates.{{fmt}}": updates,
        },
    }
