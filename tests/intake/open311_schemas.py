"""The Open311 GeoReport v2 JSON Schemas, written from the published definitions
(open311/schema-validation, schema/georeport-v2: service, services, service-definition,
request, requests), plus the spec's error list and the POST and token answers, which the
published set leaves out. Responses are validated against these in the tests."""

NULLABLE_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}]}
NULLABLE_TIME = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}

SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": NULLABLE_STRING,
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": NULLABLE_STRING,
        "group": NULLABLE_STRING,
    },
}
SERVICES = {"type": "array", "items": SERVICE}

SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["variable", "code", "datatype", "required"],
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": {"type": "string"},
                    "datatype": {
                        "type": "string",
                        "enum": [
                            "string",
                            "number",
                            "datetime",
                            "text",
                            "singlevaluelist",
                            "multivaluelist",
                        ],
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": NULLABLE_STRING,
                    "order": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                    "description": NULLABLE_STRING,
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "name"],
                            "properties": {
                                "key": {"type": "string"},
                                "name": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    },
}

REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": NULLABLE_STRING,
        "service_name": NULLABLE_STRING,
        "service_code": {"type": "string"},
        "description": {"anyOf": [{"type": "string", "maxLength": 4000}, {"type": "null"}]},
        "agency_responsible": NULLABLE_STRING,
        "service_notice": NULLABLE_STRING,
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": NULLABLE_TIME,
        "expected_datetime": NULLABLE_TIME,
        "address": NULLABLE_STRING,
        "address_id": NULLABLE_STRING,
        "zipcode": NULLABLE_STRING,
        "lat": {"anyOf": [{"type": "number"}, {"type": "null"}]},
        "long": {"anyOf": [{"type": "number"}, {"type": "null"}]},
        "media_url": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]},
    },
}
REQUESTS = {"type": "array", "items": REQUEST}

POSTED = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "properties": {
            "service_request_id": {"type": "string"},
            "token": {"type": "string"},
            "service_notice": NULLABLE_STRING,
            "account_id": NULLABLE_STRING,
        },
        # One of the two, never both (the spec: "should not be returned if ... is returned").
        "oneOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
    },
}
TOKENS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["token"],
        "properties": {"token": {"type": "string"}, "service_request_id": {"type": "string"}},
    },
}
ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "endpoints"],
    "properties": {
        "changeset": {"type": "string", "format": "date-time"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["specification", "url", "type", "formats"],
                "properties": {
                    "specification": {"type": "string"},
                    "url": {"type": "string", "format": "uri"},
                    "changeset": {"type": "string"},
                    "type": {"type": "string", "enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
UPDATES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["update_id", "service_request_id", "status", "updated_datetime"],
        "properties": {
            "update_id": {"type": "string"},
            "service_request_id": {"type": "string"},
            "status": {
                "type": "string",
                "enum": [
                    "open",
                    "closed",
                    "fixed",
                    "in_progress",
                    "action_scheduled",
                    "investigating",
                    "duplicate",
                    "not_councils_responsibility",
                    "no_further_action",
                    "internal_referral",
                ],
            },
            "updated_datetime": {"type": "string", "format": "date-time"},
            "description": {"type": "string"},
            "media_url": {"type": "string"},
        },
    },
}
