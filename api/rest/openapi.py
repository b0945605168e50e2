"""GET /api/v1/openapi.json: the OpenAPI 3.1 document of every REST endpoint (a test checks it
against the routes)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api import __version__
from api.insights.service import STATUSES
from api.rest.http import JSON
from api.tls import BUCKETS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


_WINDOW = [
    _query(
        "from",
        "inclusive start: RFC 3339, or YYYY-MM-DD (midnight in time_zone); rounded down to the hour; from "
        "0001-01-02 to 9999-12-31 (UTC), as `to`",
    ),
    _query("to", "exclusive end, as `from`; default the end of the current hour; at most 90 days after `from`"),
    _query("time_zone", "IANA time zone for days (default UTC)"),
]
_DIRECTION = _query(
    "direction",
    "inbound, outbound or both (default); submission: client submissions (not part of both)",
    {"enum": ["inbound", "outbound", "both", "submission"]},
)
_RETENTION = {
    "retained_from": {
        "type": "string",
        "format": "date-time",
        "description": "the oldest moment whose data is kept (MAILFLOW_RETENTION_DAYS)",
    },
    "warnings": {
        "type": "array",
        "items": {"type": "string"},
        "description": "what the figures cannot show, e.g. a window starting before retained_from",
    },
}
_COMMON_ERRORS = {
    "401": _error("no API key, or one that is not valid"),
    "403": _error("the key's role does not allow this"),
    "408": _error("the request's headers or body did not arrive in time; the connection is closed"),
    "429": _error(
        "too many requests for this key, failed authentications or open connections from this address; see Retry-After"
    ),
    "503": _error("the database is unavailable or took too long"),
}
_BAD = {"400": _error("a bad argument, named in details[].field"), **_COMMON_ERRORS}
_STORED_REPORTS = {
    "type": "object",
    "required": ["reports", "warnings"],
    "properties": {
        "reports": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "stored": {"type": "boolean"},
                    "expired": {"type": "boolean", "description": "older than the retention: not stored"},
                },
            },
        },
        "warnings": {"type": "array", "items": {"type": "string"}},
    },
}
_BREAKDOWN = {
    "type": "object",
    "required": ["direction", "from", "to", "time_zone", "total", "versions", "daily", "retained_from", "warnings"],
    "properties": {
        "direction": {"type": "string"},
        "from": {"type": "string", "format": "date-time"},
        "to": {"type": "string", "format": "date-time"},
        "time_zone": {"type": "string"},
        "total": {"type": "integer"},
        "versions": _ref("Versions"),
        "daily": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "day": {"type": "string", "format": "date"},
                    "total": {"type": "integer"},
                    "versions": _ref("Versions"),
                },
            },
        },
        **_RETENTION,
    },
}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": "array", "items": {"type": "object"}},
                },
            }
        },
    },
    "Message": {
        "type": "object",
        "required": ["message_id", "received_at", "direction", "tls_version"],
        "additionalProperties": False,
        "properties": {
            "message_id": {"type": "string", "minLength": 1, "maxLength": 1000},
            "received_at": {"type": "string", "format": "date-time"},
            "direction": {"enum": ["inbound", "outbound"]},
            "tls_version": {
                "type": "string",
                "description": "TLSv1.3, TLS 1.2, TLS1_1, 1.0, tls12, none, ...",
            },
            "connector": {"type": ["string", "null"]},
            "cipher": {"type": ["string", "null"]},
            "sender": {"type": ["string", "null"]},
            "recipient": {"type": ["string", "null"]},
            "remote_host": {"type": ["string", "null"]},
            "remote_ip": {"type": ["string", "null"]},
            "size_bytes": {"type": ["integer", "null"], "minimum": 0},
            "status": {"type": ["string", "null"]},
        },
    },
    "Connector": {
        "type": "object",
        "required": ["id", "name", "direction", "type", "forced_tls"],
        "properties": {
            "id": {"type": "integer", "description": "0: the internet without a connector"},
            "name": {"type": "string"},
            "direction": {"enum": ["inbound", "outbound"]},
            "type": {"enum": ["partner", "on_premises", "internet"]},
            "forced_tls": {"type": "boolean"},
        },
    },
    "NewConnector": {
        "type": "object",
        "required": ["name", "direction", "type"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "direction": {"enum": ["inbound", "outbound"]},
            "type": {"enum": ["partner", "on_premises"]},
            "forced_tls": {"type": "boolean", "default": False},
        },
    },
    "Versions": {
        "type": "array",
        "description": "all six TLS buckets, in this order: " + ", ".join(BUCKETS),
        "items": {
            "type": "object",
            "required": ["tls_version", "messages", "share"],
            "properties": {
                "tls_version": {"enum": list(BUCKETS)},
                "messages": {"type": "integer"},
                "share": {"type": "number", "description": "percent, one decimal"},
            },
        },
    },
    "Traffic": {
        "type": "object",
        "required": ["total", "versions"],
        "properties": {"total": {"type": "integer"}, "versions": _ref("Versions")},
    },
    "ConnectorRow": {
        "type": "object",
        "required": ["connector", "volume", "messages", "percent"],
        "properties": {
            "day": {"type": "string", "format": "date", "description": "absent in totals"},
            "connector": _ref("Connector"),
            "volume": {"type": "integer"},
            "messages": {"type": "object", "properties": {b: {"type": "integer"} for b in BUCKETS}},
            "percent": {"type": "object", "properties": {b: {"type": "number"} for b in BUCKETS}},
        },
    },
}

_SCHEMAS["Rules"] = {
    "type": "array",
    "description": "attribution rules: the first match wins (addresses, then host names, then domains)",
    "items": {
        "type": "object",
        "required": ["kind", "value"],
        "properties": {"kind": {"enum": ["ip", "hostname", "domain"]}, "value": {"type": "string"}},
    },
}
_SCHEMAS["Connector"]["properties"]["rules"] = _ref("Rules")
_SCHEMAS["NewConnector"]["properties"]["rules"] = _ref("Rules")
_SCHEMAS["Insight"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "rule": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "recommended_action": {"type": "string"},
        "severity": {"type": "integer"},
        "status": {"enum": ["active", "resolved", "dismissed"]},
        "connector": _ref("Connector"),
        "share": {"type": "number"},
        "messages": {"type": "integer"},
        "volume": {"type": "integer"},
        "threshold": {"type": "number"},
        "window_from": {"type": "string", "format": "date-time"},
        "window_to": {"type": "string", "format": "date-time"},
        "first_detected_at": {"type": "string", "format": "date-time"},
        "last_detected_at": {"type": "string", "format": "date-time"},
        "resolved_at": {"type": ["string", "null"], "format": "date-time"},
        "dismissed_at": {"type": ["string", "null"], "format": "date-time"},
        "dismiss_reason": {"type": ["string", "null"]},
    },
}
_SCHEMAS["InsightEvent"] = {
    "type": "object",
    "properties": {
        "event_id": {"type": "integer"},
        "cursor": {"type": "string"},
        "type": {"enum": ["created", "updated", "resolved", "dismissed", "reopened"]},
        "at": {"type": "string", "format": "date-time"},
        "insight": _ref("Insight"),
    },
}
_SCHEMAS["InsightSettings"] = {
    "type": "object",
    "properties": {
        "window_days": {"type": "integer", "minimum": 1, "maximum": 90},
        "rules": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "threshold": {"type": "number", "minimum": 0, "maximum": 100},
                    "min_messages": {"type": "integer", "minimum": 1},
                    "enabled": {"type": "boolean"},
                },
            },
        },
    },
}

_NULLABLE_TEXT = {"type": ["string", "null"]}
_MX_HOST = {
    "type": ["string", "array", "null"],
    "items": {"type": "string"},
    "description": "as the report gave it: a string or a list (null: absent, or stored before it was kept)",
}
_SCHEMAS["TlsReportDay"] = {
    "type": "object",
    "required": ["day", "policy_domain", "successful", "failed", "reports", "failures"],
    "properties": {
        "day": {"type": "string", "format": "date"},
        "policy_domain": _NULLABLE_TEXT,
        "successful": {"type": "integer"},
        "failed": {"type": "integer"},
        "reports": {"type": "integer"},
        "failures": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "by result type"},
    },
}
_SCHEMAS["TlsReportSummary"] = {
    "type": "object",
    "required": ["id", "url", "organization_name", "report_id", "from", "to", "policy_domains", "successful", "failed"],
    "properties": {
        "id": {"type": "integer"},
        "url": {"type": "string", "description": "/api/v1/tls-reports/{id}: the report in full"},
        "organization_name": {"type": "string", "description": "the sender"},
        "report_id": {"type": "string", "description": "the sender's report id"},
        "from": {"type": "string", "format": "date-time"},
        "to": {"type": "string", "format": "date-time"},
        "policy_domains": {"type": "array", "items": {"type": "string"}},
        "successful": {"type": "integer"},
        "failed": {"type": "integer"},
    },
}
_SCHEMAS["TlsReportFailure"] = {
    "type": "object",
    "required": [
        "result_type",
        "sending_mta_ip",
        "receiving_mx_hostname",
        "receiving_mx_helo",
        "receiving_ip",
        "failed_sessions",
        "failure_reason_code",
        "additional_information",
    ],
    "properties": {
        "result_type": {"type": "string"},
        "sending_mta_ip": _NULLABLE_TEXT,
        "receiving_mx_hostname": _NULLABLE_TEXT,
        "receiving_mx_helo": _NULLABLE_TEXT,
        "receiving_ip": _NULLABLE_TEXT,
        "failed_sessions": {"type": "integer"},
        "failure_reason_code": _NULLABLE_TEXT,
        "additional_information": _NULLABLE_TEXT,
    },
}
_SCHEMAS["TlsReportPolicy"] = {
    "type": "object",
    "required": [
        "policy_type",
        "policy_domain",
        "policy_string",
        "mx_host",
        "mx_host_pattern",
        "mx_hosts",
        "successful",
        "failed",
        "detailed_failures",
        "details_mismatch",
        "failures",
    ],
    "properties": {
        "policy_type": {"type": "string", "description": "sts, tlsa, no-policy-found (or what the sender wrote)"},
        "policy_domain": _NULLABLE_TEXT,
        "policy_string": {"type": "array", "items": {"type": "string"}},
        "mx_host": _MX_HOST,
        "mx_host_pattern": _MX_HOST,
        "mx_hosts": {"type": "array", "items": {"type": "string"}, "description": "mx-host and mx-host-pattern"},
        "successful": {"type": "integer"},
        "failed": {"type": "integer"},
        "detailed_failures": {"type": "integer", "description": "the failure details' sessions added up"},
        "details_mismatch": {"type": "boolean", "description": "they do not add up to `failed`"},
        "failures": {"type": "array", "items": _ref("TlsReportFailure")},
    },
}
_SCHEMAS["TlsReport"] = {
    "type": "object",
    "required": ["id", "organization_name", "contact_info", "report_id", "from", "to", "stored_at", "policies"],
    "properties": {
        "id": {"type": "integer"},
        "organization_name": {"type": "string", "description": "the sender"},
        "contact_info": _NULLABLE_TEXT,
        "report_id": {"type": "string", "description": "the sender's report id"},
        "from": {"type": "string", "format": "date-time"},
        "to": {"type": "string", "format": "date-time"},
        "stored_at": {"type": "string", "format": "date-time"},
        "policies": {"type": "array", "items": _ref("TlsReportPolicy")},
    },
}  # fmt: skip

_PATHS: dict[str, Any] = {
    "/healthz": {
        "get": {"summary": "the process answers", "security": [], "responses": {"200": _json({"type": "object"}, "ok")}}
    },
    "/readyz": {
        "get": {
            "summary": "the database is reachable and migrations are current",
            "security": [],
            "responses": {
                "200": _json({"type": "object"}, "ready"),
                "503": _json({"type": "object"}, "not ready"),
            },
        }
    },
    "/api/v1/messages": {
        "post": {
            "summary": "ingest message records (all or nothing; duplicates are counted, not stored)",
            "description": "The body may be gzip-compressed, with `Content-Encoding: gzip`.",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"type": "array", "items": _ref("Message")}},
                    "application/x-ndjson": {"schema": {"type": "string", "description": "one Message per line"}},
                },
            },
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["accepted", "duplicates", "expired", "warnings"],
                        "properties": {
                            "accepted": {"type": "integer"},
                            "duplicates": {"type": "integer"},
                            "expired": {
                                "type": "integer",
                                "description": "valid records older than the retention: not stored",
                            },
                            "warnings": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                    "stored",
                ),
                "400": _error("malformed JSON (details[].line) or an unsupported Content-Type"),
                "413": _error("the body is larger than MAILFLOW_MAX_BODY_BYTES after decompression"),
                "415": _error("an unsupported Content-Encoding"),
                "422": _error("invalid records, each in details[] as {line, field, message}; nothing stored"),
                **_COMMON_ERRORS,
            },
        }
    },
    "/api/v1/connectors": {
        "get": {
            "summary": "the connectors",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"connectors": {"type": "array", "items": _ref("Connector")}},
                    },
                    "connectors",
                ),
                **_COMMON_ERRORS,
            },
        },
        "post": {
            "summary": "add a connector",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("NewConnector")}},
            },
            "responses": {
                "201": _json(_ref("Connector"), "created"),
                "400": _error("malformed JSON"),
                "409": _error("the name is taken in that direction"),
                "413": _error("body too large"),
                "422": _error("invalid fields, in details[]"),
                **_COMMON_ERRORS,
            },
        },
    },
    "/api/v1/connectors/{connector_id}/rules": {
        "put": {
            "summary": "replace a connector's attribution rules",
            "parameters": [{"name": "connector_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "required": ["rules"], "properties": {"rules": _ref("Rules")}}
                    }
                },
            },
            "responses": {
                "200": _json(_ref("Connector"), "the connector with its new rules"),
                "400": _error("malformed JSON"),
                "404": _error("no such connector"),
                "422": _error("invalid rules, in details[]; nothing changed"),
                **_COMMON_ERRORS,
            },
        }
    },
    "/api/v1/summary": {
        "get": {
            "summary": "the dashboard widget: the last 7 days ending now, per direction",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["from", "to", "inbound", "outbound", "submission"],
                        "properties": {
                            "from": {"type": "string", "format": "date-time"},
                            "to": {"type": "string", "format": "date-time"},
                            "inbound": _ref("Traffic"),
                            "outbound": _ref("Traffic"),
                            "submission": _ref("Traffic"),
                        },
                    },
                    "summary",
                ),
                **_BAD,
            },
        }
    },
    "/api/v1/tls-breakdown": {
        "get": {
            "summary": "messages protected in transit: totals per TLS bucket and a daily series",
            "parameters": [
                _DIRECTION,
                *_WINDOW,
                _query("connector", "a connector id; 0: the internet without a connector", {"type": "integer"}),
            ],
            "responses": {"200": _json(_BREAKDOWN, "breakdown"), **_BAD},
        }
    },
    "/api/v1/client-submissions": {
        "get": {
            "summary": "client submissions (submission/smtps listeners, SMTP AUTH) by TLS version: totals and a "
            "daily series, as Microsoft's SMTP AUTH clients report",
            "parameters": [*_WINDOW],
            "responses": {"200": _json(_BREAKDOWN, "breakdown"), **_BAD},
        }
    },
    "/api/v1/connector-report": {
        "get": {
            "summary": "volume and TLS shares per connector per day, and per connector for the window",
            "parameters": [
                _DIRECTION,
                _query(
                    "connector_type",
                    "partner, on_premises or internet",
                    {"enum": ["partner", "on_premises", "internet"]},
                ),
                _query("connector_name", "a connector name prefix (case-insensitive)"),
                *_WINDOW,
                _query(
                    "format",
                    "json (default) or csv; Accept: text/csv also gives CSV",
                    {"enum": ["json", "csv"]},
                ),
            ],
            "responses": {
                "200": {
                    "description": "the report",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "from": {"type": "string", "format": "date-time"},
                                    "to": {"type": "string", "format": "date-time"},
                                    "time_zone": {"type": "string"},
                                    "rows": {"type": "array", "items": _ref("ConnectorRow")},
                                    "totals": {"type": "array", "items": _ref("ConnectorRow")},
                                    **_RETENTION,
                                },
                            }
                        },
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                **_BAD,
            },
        }
    },
    "/api/v1/insights": {
        "get": {
            "summary": "insights, newest first",
            "parameters": [
                _query("status", "active (default), resolved, dismissed or all", {"enum": list(STATUSES)}),
                _query("connector", "a connector id; 0: the internet without a connector", {"type": "integer"}),
                _query("direction", "inbound or outbound", {"enum": ["inbound", "outbound"]}),
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"insights": {"type": "array", "items": _ref("Insight")}},
                    },
                    "insights",
                ),
                **_BAD,
            },
        }
    },
    "/api/v1/insights/events": {
        "get": {
            "summary": "the SIEM pull: insight events after a cursor, never skipped or repeated",
            "parameters": [
                _query("after", "the `next` cursor of the previous page; absent: the oldest retained event"),
                _query("since", "RFC 3339: start with the events from this time"),
                _query("limit", "1 to 5000 (default 1000)", {"type": "integer", "minimum": 1, "maximum": 5000}),
                _query(
                    "format",
                    "json (default), ndjson or cef; Accept: application/x-ndjson gives NDJSON",
                    {"enum": ["json", "ndjson", "cef"]},
                ),
            ],
            "responses": {
                "200": {
                    "description": "a page; the next cursor is also in the Link (rel=next) and X-Next-Cursor headers",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "events": {"type": "array", "items": _ref("InsightEvent")},
                                    "next": {"type": "string"},
                                },
                            }
                        },
                        "application/x-ndjson": {"schema": {"type": "string"}},
                        "text/plain": {"schema": {"type": "string", "description": "CEF lines"}},
                    },
                },
                **_BAD,
            },
        }
    },
    "/api/v1/insights/{insight_id}/dismiss": {
        "post": {
            "summary": "dismiss an active insight",
            "parameters": [{"name": "insight_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["reason"],
                            "properties": {"reason": {"type": "string"}},
                        }
                    }
                },
            },
            "responses": {
                "200": _json({"type": "object", "properties": {"insight": _ref("Insight")}}, "dismissed"),
                "400": _error("malformed JSON"),
                "404": _error("no such insight"),
                "409": _error("the insight is not active"),
                "422": _error("no reason given"),
                **_COMMON_ERRORS,
            },
        }
    },
    "/api/v1/insight-settings": {
        "get": {
            "summary": "the insight window and each rule's threshold, minimum and state",
            "responses": {"200": _json(_ref("InsightSettings"), "settings"), **_BAD},
        },
        "put": {
            "summary": "change the window or rules (fields left out keep their value); re-evaluates at once",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("InsightSettings")}},
            },
            "responses": {
                "200": _json(_ref("InsightSettings"), "the new settings"),
                "400": _error("malformed JSON"),
                "422": _error("invalid settings, in details[]; nothing changed"),
                **_COMMON_ERRORS,
            },
        },
    },
    "/api/v1/tls-reports": {
        "post": {
            "summary": "store SMTP TLS reports (RFC 8460): JSON, gzip'd JSON, or the e-mail that carried them",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "application/tlsrpt+json": {"schema": {"type": "object"}},
                    "application/tlsrpt+gzip": {"schema": {"type": "string", "format": "binary"}},
                    "message/rfc822": {"schema": {"type": "string"}},
                },
            },
            "responses": {
                "201": _json(_STORED_REPORTS, "at least one report stored"),
                "200": _json(_STORED_REPORTS, "nothing new stored (already stored, or older than the retention)"),
                "400": _error("a malformed body"),
                "413": _error(
                    "the body is larger than MAILFLOW_MAX_BODY_BYTES, or its reports decompress to more than 20 MB"
                ),
                "422": _error(
                    "not a TLS report, a session count above 2^53, or a date outside 0001-01-02 to 9999-12-31 "
                    "(UTC); details[].field names the part"
                ),
                **_COMMON_ERRORS,
            },
        },
        "get": {
            "summary": "per policy domain and day: sessions and failures by result type; and the reports, newest first",
            "description": "The reports whose date range starts in the window. A report's sessions for a policy "
            "domain count once, from its policy for the domain with the most sessions (a sender reports the same "
            "sessions under an sts and a tlsa policy). `reports` holds at most `limit` reports; `reports_total` "
            "counts them all, and `next` (null on the last page) is the `after` of the next page.",
            "parameters": [
                *_WINDOW[:2],
                _query("policy_domain", "only this policy domain (reports: those with a policy for it)"),
                _query(
                    "limit",
                    "reports per page: 1 to 1000 (default 100)",
                    {"type": "integer", "minimum": 1, "maximum": 1000},
                ),
                _query("after", "the `next` of the previous page"),
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["from", "to", "days", "reports", "reports_total", "next"],
                        "properties": {
                            "from": {"type": "string", "format": "date-time"},
                            "to": {"type": "string", "format": "date-time"},
                            "days": {"type": "array", "items": _ref("TlsReportDay")},
                            "reports": {"type": "array", "items": _ref("TlsReportSummary")},
                            "reports_total": {"type": "integer", "description": "the reports on every page"},
                            "next": {"type": ["string", "null"], "description": "null: the last page"},
                        },
                    },
                    "report days and reports",
                ),
                **_BAD,
            },
        },
    },
    "/api/v1/tls-reports/{id}": {
        "get": {
            "summary": "one stored TLS report in full: its policies and their failure details",
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                }
            ],
            "responses": {
                "200": _json(_ref("TlsReport"), "the report"),
                "400": _error("an id that is not a whole number from 1 to 2^63-1"),
                "404": _error("no such report in this organization"),
                **_COMMON_ERRORS,
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "this document",
            "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1"), **_COMMON_ERRORS},
        }
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "mailflow",
        "version": __version__,
        "description": "How well an organization's mail is protected in transit. GraphQL: /graphql.",
    },
    "paths": _PATHS,
    "components": {
        "schemas": _SCHEMAS,
        "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "mf_… API key"}},
    },
    "security": [{"apiKey": []}],
}


async def get_openapi(request: Request) -> Response:
    return JSON(DOCUMENT)
