"""GET /api/v1/openapi.json: the OpenAPI 3.1 document of every REST endpoint (a test checks it
against the routes). It says exactly what the server accepts: the patterns come from the validators
(api/patterns.py), and what JSON Schema cannot say (rules relating two values, or a value to the clock
or to stored data) is said in the descriptions; tests/fuzz/test_schemathesis.py holds the server to it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api import __version__
from api.importers.tlsrpt import COUNT_TEXT, MAX_SESSIONS
from api.ingest import RFC3339
from api.insights import service
from api.insights.rules import MAX_MIN_MESSAGES, MAX_WINDOW_DAYS, RULES
from api.patterns import LOGGED_IP, NETWORK, NOT_BLANK, TEXT, WHITE_SPACE, char_class
from api.rest import tls_reports
from api.rest.http import JSON
from api.tls import BUCKETS
from api.tls import PATTERN as TLS_VERSION
from api.webhooks.messages import SUBSCRIBABLE
from api.window import TIME_ZONES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}  # ids are bigints
_FREE_TEXT = {"type": "string", "pattern": TEXT}  # any text PostgreSQL holds: no NUL
_NOT_BLANK = {"type": "string", "pattern": NOT_BLANK}  # ... and not only white space
# RFC 3339, or a date; the server also reads a time without an offset (in the window's time zone) and
# Python's other ISO 8601 forms, said in words
_MOMENT = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """An optional query parameter: given once, and never empty unless its schema takes the empty string."""
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": _ID}


_CONNECTOR_ID = _query("connector", "a connector id; 0: the internet without a connector", {**_ID, "minimum": 0})
_WINDOW = [
    _query(
        "from",
        "inclusive start: RFC 3339, or YYYY-MM-DD (midnight in time_zone), or a time without an offset (in "
        "time_zone); rounded down to the hour; from 0001-01-02 to 9999-12-31 (UTC), as `to`; before `to`",
        _MOMENT,
    ),
    _query(
        "to",
        "exclusive end, as `from`; default the end of the current hour; at most 90 days after `from` "
        "(default 7 days before `to`)",
        _MOMENT,
    ),
    _query("time_zone", "IANA time zone for days (default UTC)", {"$ref": "#/components/schemas/TimeZone"}),
]
_DIRECTIONS = ("inbound", "outbound", "both")
_DIRECTION = _query(
    "direction",
    "inbound, outbound or both (default), in any case; submission: client submissions (not part of both)",
    {"enum": [*_DIRECTIONS, "submission"]},
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

_TEXT_OR_NULL = {"type": ["string", "null"], "maxLength": 1000, "pattern": TEXT}
_SCHEMAS: dict[str, Any] = {
    "TimeZone": {"type": "string", "enum": sorted(TIME_ZONES), "description": "an IANA time zone name"},
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
            "message_id": {**_NOT_BLANK, "minLength": 1, "maxLength": 1000},
            "received_at": {
                "type": "string",
                "format": "date-time",
                "pattern": RFC3339,
                "description": "RFC 3339 with an offset (a space for the T is read too); from 0001-01-02 to "
                "9999-12-31 (UTC), and at most a day after now",
            },
            "direction": {"enum": ["inbound", "outbound", "submission"]},
            "tls_version": {
                "type": "string",
                "pattern": TLS_VERSION,
                "description": "TLSv1.3, TLS 1.2, TLS1_1, 1.0, tls12, SSLv3, none, unknown, ... in any case",
            },
            "connector": {
                "type": ["string", "null"],
                "description": "the name of a connector in the record's direction (not for submission); absent: "
                "by the connectors' rules; null: none",
            },
            **{name: _TEXT_OR_NULL for name in ("cipher", "sender", "recipient", "remote_host", "status")},
            "remote_ip": {
                "type": ["string", "null"],
                "pattern": LOGGED_IP,
                "description": "IPv4 or IPv6, as logs write it: in brackets, with IPv6: or a %interface",
            },
            "size_bytes": {"type": ["integer", "null"], "minimum": 0, "maximum": 2**62},
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
            "name": {**_NOT_BLANK, "minLength": 1, "maxLength": 200},
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


def _rule(kinds: list[str], value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["kind", "value"],
        "additionalProperties": False,
        "properties": {"kind": {"enum": kinds}, "value": value},
    }


_SCHEMAS["Rules"] = {
    "type": "array",
    "description": "attribution rules: the first match wins (addresses, then host names, then domains)",
    "items": {
        "anyOf": [
            _rule(
                ["ip"],
                {
                    "type": "string",
                    "pattern": NETWORK,
                    "description": "an address or network: 192.0.2.0/24, 192.0.2.0/255.255.255.0, 2001:db8::/32",
                },
            ),
            _rule(["hostname", "domain"], _NOT_BLANK),
        ]
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
_SCHEMAS["InsightSettingsUpdate"] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "window_days": {"type": "integer", "minimum": 1, "maximum": MAX_WINDOW_DAYS},
        "rules": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "threshold": {"type": "number", "minimum": 0, "maximum": 100},
                        "min_messages": {"type": "integer", "minimum": 1, "maximum": MAX_MIN_MESSAGES},
                        "enabled": {"type": "boolean"},
                    },
                }
                for name in RULES
            },
        },
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

# A report as parse_report reads it: tolerant of what senders write, strict about its core
_COUNT = {
    "description": f"a session count: a number up to {MAX_SESSIONS} (2^53) or a string of ASCII digits up to it; "
    "any other value (a fraction, a negative number, text that is no number) counts as 0",
    "anyOf": [
        {"type": "number", "maximum": MAX_SESSIONS},
        {"type": ["null", "boolean", "object", "array"]},
        {"type": "string", "pattern": COUNT_TEXT},
    ],
}
_REPORT_TIME = {
    "type": "string",
    "format": "date-time",
    "description": "RFC 3339 (Python's other ISO 8601 forms with an offset are read too); from 0001-01-02 to "
    "9999-12-31 (UTC)",
}
_SCHEMAS["TlsReportInput"] = {
    "type": "object",
    "description": f"an SMTP TLS report (RFC 8460); other fields are kept or ignored. Its session counts may add up "
    f"to {MAX_SESSIONS} in all, and a policy's failure details to as much",
    "required": ["report-id", "date-range", "policies"],
    "properties": {
        "report-id": {
            "description": "not null; text with something besides white space and NUL (other values: their JSON)",
            "anyOf": [
                {"type": ["number", "boolean", "object", "array"]},
                {"type": "string", "pattern": char_class(WHITE_SPACE + "\x00", negate=True)},
            ],
        },
        "date-range": {
            "type": "object",
            "required": ["start-datetime", "end-datetime"],
            "properties": {"start-datetime": _REPORT_TIME, "end-datetime": _REPORT_TIME},
        },
        "policies": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "summary": {
                        "description": "not an object: no counts",
                        "properties": {"total-successful-session-count": _COUNT, "total-failure-session-count": _COUNT},
                    },
                    "failure-details": {
                        "description": "not a list, or items that are not objects: no details",
                        "items": {"properties": {"failed-session-count": _COUNT}},
                    },
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
_FLAG = {  # accepted domains (api/tlsrpt/accepted_domains.py): with any listed, other policy domains are not counted
    "flagged": {"type": "boolean", "description": "a policy domain is not one of the organization's accepted domains"},
    "flag_reason": _NULLABLE_TEXT,
}
_SCHEMAS["TlsReportSummary"] = {
    "type": "object",
    "required": [
        "id",
        "url",
        "organization_name",
        "report_id",
        "from",
        "to",
        "policy_domains",
        "successful",
        "failed",
        "flagged",
        "flag_reason",
        "foreign_domains",
    ],
    "properties": {
        "id": {"type": "integer"},
        "url": {"type": "string", "description": "/api/v1/tls-reports/{id}: the report in full"},
        "organization_name": {"type": "string", "description": "the sender"},
        "report_id": {"type": "string", "description": "the sender's report id"},
        "from": {"type": "string", "format": "date-time"},
        "to": {"type": "string", "format": "date-time"},
        "policy_domains": {"type": "array", "items": {"type": "string"}},
        "successful": {"type": "integer", "description": "the accepted domains' sessions only"},
        "failed": {"type": "integer"},
        **_FLAG,
        "foreign_domains": {"type": "array", "items": {"type": "string"}, "description": "shown, not counted"},
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
        "accepted",
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
        "accepted": {"type": "boolean", "description": "an accepted domain (or none is listed): it counts"},
        "failures": {"type": "array", "items": _ref("TlsReportFailure")},
    },
}
_SCHEMAS["TlsReport"] = {
    "type": "object",
    "required": ["id", "organization_name", "contact_info", "report_id", "from", "to", "stored_at", "policies",
                 "flagged", "flag_reason"],
    "properties": {
        "id": {"type": "integer"},
        "organization_name": {"type": "string", "description": "the sender"},
        "contact_info": _NULLABLE_TEXT,
        "report_id": {"type": "string", "description": "the sender's report id"},
        "from": {"type": "string", "format": "date-time"},
        "to": {"type": "string", "format": "date-time"},
        "stored_at": {"type": "string", "format": "date-time"},
        "policies": {"type": "array", "items": _ref("TlsReportPolicy")},
        **_FLAG,
    },
}  # fmt: skip

_RECORDS = {"anyOf": [{"type": "array", "items": _ref("Message")}, _ref("Message")], "description": "records"}
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
                    "application/json": {"schema": _RECORDS},
                    "application/x-ndjson": {
                        "schema": {**_RECORDS, "description": "one JSON object a line (blank lines skipped)"}
                    },
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
                "409": _error("the name, or one that looks like it, is taken in that direction"),
                "413": _error("body too large"),
                "422": _error("invalid fields, in details[] (a name with an invisible or reordering character)"),
                **_COMMON_ERRORS,
            },
        },
    },
    "/api/v1/connectors/{connector_id}/rules": {
        "put": {
            "summary": "replace a connector's attribution rules",
            "parameters": [_path_id("connector_id")],
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
                {
                    **_CONNECTOR_ID,
                    "description": "an existing connector's id; 0: the internet without a connector (not with "
                    "direction=submission)",
                },
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
                _query("direction", "inbound, outbound or both (default), in any case", {"enum": list(_DIRECTIONS)}),
                _query(
                    "connector_type",
                    "partner, on_premises or internet",
                    {"enum": ["partner", "on_premises", "internet"]},
                ),
                _query("connector_name", "a connector name prefix (case-insensitive); empty: every name", _FREE_TEXT),
                *_WINDOW,
                _query(
                    "format",
                    "json (default) or csv, in any case; Accept: text/csv also gives CSV",
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
                _query(
                    "status",
                    "active (default), resolved, dismissed or all, in any case",
                    {"enum": list(service.STATUSES)},
                ),
                _CONNECTOR_ID,
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
                _query(
                    "after",
                    "the `next` cursor of the previous page; absent: the oldest retained event",
                    {"type": "string", "pattern": service.CURSOR},
                ),
                _query(
                    "since",
                    "RFC 3339 (a date or a time without an offset: UTC): start with the events from this time; from "
                    "0001-01-02 to 9999-12-31 (UTC)",
                    _MOMENT,
                ),
                _query(
                    "limit",
                    f"1 to {service.MAX_LIMIT} (default 1000)",
                    {"type": "integer", "minimum": 1, "maximum": service.MAX_LIMIT},
                ),
                _query(
                    "format",
                    "json (default), ndjson or cef, in any case; Accept: application/x-ndjson gives NDJSON",
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
            "parameters": [_path_id("insight_id")],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["reason"],
                            "properties": {"reason": {**_NOT_BLANK, "minLength": 1, "maxLength": 1000}},
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
                "content": {"application/json": {"schema": _ref("InsightSettingsUpdate")}},
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
                    "application/json": {"schema": _ref("TlsReportInput")},
                    "application/tlsrpt+json": {"schema": _ref("TlsReportInput")},
                    "application/tlsrpt+gzip": {
                        "schema": {
                            "type": "string",
                            "format": "binary",
                            "contentMediaType": "application/gzip",
                            "description": "a TlsReportInput, gzip-compressed",
                        }
                    },
                    "message/rfc822": {
                        "schema": {
                            "type": "string",
                            "contentMediaType": "message/rfc822",
                            "description": "an e-mail with TlsReportInput parts (application/tlsrpt+json or "
                            "+gzip, or a .json or .json.gz attachment)",
                        }
                    },
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
            "counts them all, and `next` (null on the last page) is the `after` of the next page. When the "
            "organization lists accepted domains, only they and their subdomains count in `days` and in a report's "
            "sessions; a report with a policy for another domain is listed, `flagged`, with the reason.",
            "parameters": [
                *_WINDOW[:2],
                _query(
                    "policy_domain",
                    "only this policy domain (reports: those with a policy for it); empty: every domain",
                    _FREE_TEXT,
                ),
                _query(
                    "limit",
                    f"reports per page: 1 to {tls_reports.MAX_LIMIT} (default {tls_reports.DEFAULT_LIMIT})",
                    {"type": "integer", "minimum": 1, "maximum": tls_reports.MAX_LIMIT},
                ),
                _query("after", "the `next` of the previous page", {"type": "string", "pattern": tls_reports.CURSOR}),
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
            "parameters": [_path_id("id")],
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

# Webhooks (api/rest/webhooks.py, api/webhooks/): subscriptions, tests and deliveries; admin keys only.
_WEBHOOK_ID = [{"name": "webhook_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_WEBHOOK_EVENTS = {"type": "array", "items": {"type": "string", "enum": list(SUBSCRIBABLE)}, "minItems": 1}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_SCHEMAS["Webhook"] = {
    "type": "object",
    "required": ["id", "url", "events", "description", "enabled", "disabled_reason", "created_at", "updated_at"],
    "properties": {
        "id": {"type": "integer"},
        "url": {"type": "string"},
        "events": _WEBHOOK_EVENTS,
        "description": {"type": "string"},
        "enabled": {"type": "boolean"},
        "disabled_reason": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "secret": {
            "type": "string",
            "description": "whsec_ + base64 of 32 bytes: only on creation and rotation, shown once",
        },
    },
}
_SCHEMAS["WebhookDelivery"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "webhook_id": {"type": "string", "description": "the webhook-id header: the same on every attempt"},
        "type": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "delivered", "failed"]},
        "occurred_at": {"type": "string", "format": "date-time"},
        "next_attempt_at": _NULLABLE_TIME,
        "attempts": {
            "type": "array",
            "description": "newest first",
            "items": {
                "type": "object",
                "properties": {
                    "attempt": {"type": "integer"},
                    "at": {"type": "string", "format": "date-time"},
                    "status_code": {"type": ["integer", "null"]},
                    "error": {"type": ["string", "null"]},
                    "duration_ms": {"type": "integer"},
                    "next_retry_at": _NULLABLE_TIME,
                },
            },
        },
    },
}
_WEBHOOK_ERRORS = {"404": _error("no such webhook in this organization"), **_COMMON_ERRORS}
_WEBHOOK_BODY_ERRORS = {
    "400": _error("malformed JSON"),
    "413": _error("body too large"),
    "422": _error("invalid or refused fields, in details[] (a URL that is not https or not public)"),
}
_PATHS["/api/v1/webhooks"] = {
    "get": {
        "summary": "the webhook subscriptions (never their secrets)",
        "responses": {
            "200": _json(
                {"type": "object", "properties": {"webhooks": {"type": "array", "items": _ref("Webhook")}}},
                "subscriptions",
            ),
            **_BAD,
        },
    },
    "post": {
        "summary": "subscribe a URL to events; the answer holds the signing secret, shown once",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["url"],
                        "additionalProperties": False,
                        "properties": {
                            "url": {"type": "string", "description": "https://, resolving to public addresses"},
                            "events": {**_WEBHOOK_EVENTS, "description": "default: every event type"},
                            "description": {"type": "string", "maxLength": 500},
                        },
                    }
                }
            },
        },
        "responses": {
            "201": _json(_ref("Webhook"), "created, with its secret"),
            **_WEBHOOK_BODY_ERRORS,
            **_COMMON_ERRORS,
        },
    },
}
_PATHS["/api/v1/webhooks/{webhook_id}"] = {
    "get": {
        "summary": "one webhook subscription",
        "parameters": _WEBHOOK_ID,
        "responses": {
            "200": _json(_ref("Webhook"), "the subscription"),
            "400": _error("a bad argument"),
            **_WEBHOOK_ERRORS,
        },
    },
    "patch": {
        "summary": "change the URL, events or description, enable or disable, or rotate the secret",
        "parameters": _WEBHOOK_ID,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "url": {"type": "string", "description": "https://, resolving to public addresses"},
                            "events": _WEBHOOK_EVENTS,
                            "description": {"type": "string", "maxLength": 500},
                            "enabled": {"type": "boolean"},
                            "rotate_secret": {"type": "boolean", "description": "true: the answer holds a new secret"},
                        },
                    }
                }
            },
        },
        "responses": {
            "200": _json(_ref("Webhook"), "the changed subscription"),
            **_WEBHOOK_BODY_ERRORS,
            **_WEBHOOK_ERRORS,
        },
    },
    "delete": {
        "summary": "remove a subscription and its deliveries",
        "parameters": _WEBHOOK_ID,
        "responses": {"204": {"description": "removed"}, **_WEBHOOK_ERRORS},
    },
}
_PATHS["/api/v1/webhooks/{webhook_id}/test"] = {
    "post": {
        "summary": "send a ping now and say how the receiver answered (never retried)",
        "parameters": _WEBHOOK_ID,
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "delivery_id": {"type": "integer"},
                        "webhook_id": {"type": "string"},
                        "delivered": {"type": "boolean"},
                        "status_code": {"type": ["integer", "null"]},
                        "error": {"type": ["string", "null"]},
                        "duration_ms": {"type": "integer"},
                    },
                },
                "the attempt",
            ),
            **_WEBHOOK_ERRORS,
        },
    },
}
_PATHS["/api/v1/webhooks/{webhook_id}/deliveries"] = {
    "get": {
        "summary": "the newest 100 deliveries, each with its attempts (time, status or error, duration, next retry)",
        "parameters": _WEBHOOK_ID,
        "responses": {
            "200": _json(
                {"type": "object", "properties": {"deliveries": {"type": "array", "items": _ref("WebhookDelivery")}}},
                "deliveries, newest first",
            ),
            "400": _error("a bad argument"),
            **_WEBHOOK_ERRORS,
        },
    },
}

# -- Who to call: the remote parties behind the figures (one block: the views and their rows) -----------------
_REMOTE_FIGURES = {
    "volume": {"type": "integer"},
    "messages": {"type": "object", "properties": {b: {"type": "integer"} for b in BUCKETS}},
    "percent": {"type": "object", "properties": {b: {"type": "number"} for b in BUCKETS}},
}
_SCHEMAS["RemoteDomain"] = {
    "type": "object",
    "required": ["domain", "volume", "messages", "percent", "first_day", "last_day"],
    "properties": {
        "domain": {
            "type": ["string", "null"],
            "description": "lower case, IDN as A-labels; null: not known (a null sender, a server without a name)",
        },
        **_REMOTE_FIGURES,
        "first_day": {"type": "string", "format": "date", "description": "the first UTC day with mail"},
        "last_day": {"type": "string", "format": "date"},
    },
}
_SCHEMAS["RemoteHost"] = {
    "type": "object",
    "required": ["host", "ip", "server_domain", "volume", "messages", "percent", "first_seen", "last_seen"],
    "properties": {
        "host": {"type": ["string", "null"], "description": "the name as logged"},
        "ip": {"type": ["string", "null"]},
        "server_domain": {"type": ["string", "null"], "description": "the host's registrable domain"},
        **_REMOTE_FIGURES,
        "first_seen": {"type": "string", "format": "date-time"},
        "last_seen": {"type": "string", "format": "date-time"},
    },
}
_REMOTE_SORT = {"enum": ["volume", *BUCKETS]}
_REMOTE_PARAMETERS = [
    _query("direction", "inbound (default) or outbound", {"enum": ["inbound", "outbound"]}),
    _query(
        "by",
        "sender_domain (inbound, the default there), recipient_domain (outbound, the default there) or "
        "server_domain (the remote server's registrable domain, by the Public Suffix List)",
        {"enum": ["sender_domain", "recipient_domain", "server_domain"]},
    ),
    _query("connector", "a connector id of the direction; 0: the internet without a connector", {**_ID, "minimum": 0}),
    _query("tls_version", "only the rows with mail in this TLS bucket (case-insensitive)", {"enum": list(BUCKETS)}),
    *_WINDOW,
    _query("sort", "the count that orders the rows, most first: volume, or tls_version when given", _REMOTE_SORT),
    _query("limit", "rows per page, 1 to 1000 (default 100)", {"type": "integer", "minimum": 1, "maximum": 1000}),
    _query("cursor", "the `next` of the previous page (with the same sort)", {"type": "string", "minLength": 1}),
]
_REMOTE_PAGE = {
    "direction": {"enum": ["inbound", "outbound"]},
    "by": {"enum": ["sender_domain", "recipient_domain", "server_domain"]},
    "from": {"type": "string", "format": "date-time"},
    "to": {"type": "string", "format": "date-time"},
    "time_zone": {"type": "string"},
    "sort": _REMOTE_SORT,
    "total": {"type": "integer", "description": "the rows on every page"},
    "next": {"type": ["string", "null"], "description": "pass as `cursor` for the next page; null: the last page"},
    **_RETENTION,
}
_PATHS["/api/v1/remote-domains"] = {
    "get": {
        "summary": "who to call: one row per remote domain with volume, TLS counts and shares, days seen",
        "description": "Counted from the remote-party daily rollup: whole UTC days, those whose noon falls in the "
        "window (`counted_from`, `counted_to`; a warning says when they differ from the window).",
        "parameters": [
            *_REMOTE_PARAMETERS,
            _query("format", "json (default) or csv; Accept: text/csv also gives CSV", {"enum": ["json", "csv"]}),
        ],
        "responses": {
            "200": {
                "description": "a page of remote domains (CSV: a Link header names the next page)",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                **_REMOTE_PAGE,
                                "counted_from": {"type": "string", "format": "date-time"},
                                "counted_to": {"type": "string", "format": "date-time"},
                                "rows": {"type": "array", "items": _ref("RemoteDomain")},
                            },
                        }
                    },
                    "text/csv": {"schema": {"type": "string"}},
                },
            },
            **_BAD,
        },
    }
}
_PATHS["/api/v1/remote-hosts"] = {
    "get": {
        "summary": "one row per remote server (name and address) from the messages of the window",
        "parameters": [
            *_REMOTE_PARAMETERS,
            _query(
                "domain",
                "only the messages of this `by` domain (any spelling); empty: the domains not known",
                {"type": "string"},
            ),
        ],
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {**_REMOTE_PAGE, "rows": {"type": "array", "items": _ref("RemoteHost")}},
                },
                "a page of remote servers",
            ),
            **_BAD,
        },
    }
}
_REMOTE_COUNTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["domain", "messages", "volume"],
        "properties": {
            "domain": {"type": ["string", "null"], "description": "null: not known"},
            "messages": {"type": "integer", "description": "its messages that the rule counts"},
            "volume": {"type": "integer", "description": "all its messages through the connector"},
        },
    },
}
_SCHEMAS["Insight"]["properties"]["remote_domains"] = {
    **_REMOTE_COUNTS,
    "description": "the top ten remote domains behind the condition (sender's inbound, recipient's outbound)",
}
_SCHEMAS["Insight"]["properties"]["remote_servers"] = {
    **_REMOTE_COUNTS,
    "description": "the top ten remote servers' registrable domains behind the condition",
}

# -- Outbound transit security: the record fields and the view (one block) --------------------------------------
_SECURITY_LEVELS = ["dane", "mta_sts", "verified", "opportunistic", "none", "unknown"]
_SCHEMAS["Message"]["properties"]["tls_security"] = {
    "enum": [*_SECURITY_LEVELS, None],
    "description": "the delivery's transit security (case-insensitive); default from tls_version: none, unknown, "
    "else opportunistic",
}
_SCHEMAS["Message"]["properties"]["blocked_reason"] = {
    "type": ["string", "null"],
    "maxLength": 1000,
    "description": "set on a delivery refused or deferred because TLS was required: why",
}
_PATHS["/api/v1/transit-security"] = {
    "get": {
        "summary": "outbound transit security: deliveries per UTC day by security level, blocked deliveries by "
        "recipient domain and reason, recipient domains not supporting TLS",
        "parameters": [*_WINDOW],
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "from": {"type": "string", "format": "date-time"},
                        "to": {"type": "string", "format": "date-time"},
                        "time_zone": {"type": "string"},
                        "counted_from": {"type": "string", "format": "date-time"},
                        "counted_to": {"type": "string", "format": "date-time"},
                        "days": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "day": {"type": "string", "format": "date"},
                                    **{level: {"type": "integer"} for level in [*_SECURITY_LEVELS, "blocked"]},
                                },
                            },
                        },
                        "blocked": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "recipient_domain": {"type": ["string", "null"]},
                                    "reason": {"type": "string"},
                                    "deliveries": {"type": "integer"},
                                    "first_seen": {"type": "string", "format": "date-time"},
                                    "last_seen": {"type": "string", "format": "date-time"},
                                },
                            },
                        },
                        "without_tls": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "domain": {"type": "string"},
                                    "deliveries": {"type": "integer"},
                                    "first_day": {"type": "string", "format": "date"},
                                    "last_day": {"type": "string", "format": "date"},
                                },
                            },
                        },
                        **_RETENTION,
                    },
                },
                "the transit security of the window",
            ),
            **_BAD,
        },
    }
}


# -- RFC 8460 HTTPS reporting endpoints (api/rest/tlsrpt_endpoints.py; reporters POST to /tlsrpt/<token>) --------
_ENDPOINT_ID = [{"name": "endpoint_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_SCHEMAS["TlsrptEndpoint"] = {
    "type": "object",
    "required": ["id", "description", "created_at", "reports_total", "reports_today", "skipped"],
    "properties": {
        "id": {"type": "integer"},
        "description": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "rotated_at": _NULLABLE_TIME,
        "last_success_at": _NULLABLE_TIME,
        "last_error_at": _NULLABLE_TIME,
        "last_error": {"type": ["string", "null"]},
        "reports_total": {"type": "integer", "description": "reports stored through it (each once)"},
        "reports_today": {"type": "integer", "description": "reports stored through it this UTC day"},
        "skipped": {
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "description": "POSTs that stored nothing, by reason (already stored, not a TLS report, too large, ...)",
        },
        "url": {"type": "string", "description": "<public URL>/tlsrpt/<token>: only when made or rotated"},
        "txt_record": {
            "type": "string",
            "description": "v=TLSRPTv1; rua=<url>: publish it at _smtp._tls.<domain> (only when made or rotated)",
        },
    },
}
_ENDPOINT_ERRORS = {"404": _error("no such reporting endpoint in this organization"), **_COMMON_ERRORS}
_PATHS["/api/v1/tlsrpt-endpoints"] = {
    "get": {
        "summary": "the HTTPS reporting endpoints, with what each received (never their URLs: rotate for a new one)",
        "responses": {
            "200": _json(
                {"type": "object", "properties": {"endpoints": {"type": "array", "items": _ref("TlsrptEndpoint")}}},
                "endpoints",
            ),
            **_BAD,
        },
    },
    "post": {
        "summary": "a new unguessable reporting URL and the TXT record to publish; shown once",
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"description": {"type": "string", "maxLength": 500, "pattern": TEXT}},
                    }
                }
            },
        },
        "responses": {
            "201": _json(_ref("TlsrptEndpoint"), "made, with its url and txt_record"),
            "400": _error("malformed JSON"),
            "413": _error("body too large"),
            "422": _error("invalid fields, in details[]"),
            **_COMMON_ERRORS,
        },
    },
}
_PATHS["/api/v1/tlsrpt-endpoints/{endpoint_id}"] = {
    "get": {
        "summary": "one reporting endpoint and what it received",
        "parameters": _ENDPOINT_ID,
        "responses": {
            "200": _json(_ref("TlsrptEndpoint"), "the endpoint"),
            "400": _error("a bad argument"),
            **_ENDPOINT_ERRORS,
        },
    },
    "delete": {
        "summary": "remove a reporting endpoint: its URL stops working at once (stored reports stay)",
        "parameters": _ENDPOINT_ID,
        "responses": {"204": {"description": "removed"}, **_ENDPOINT_ERRORS},
    },
}
_PATHS["/api/v1/tlsrpt-endpoints/{endpoint_id}/rotate"] = {
    "post": {
        "summary": "a new URL for the endpoint; the old one stops working at once (publish the new TXT record)",
        "parameters": _ENDPOINT_ID,
        "responses": {
            "200": _json(_ref("TlsrptEndpoint"), "the endpoint, with its new url and txt_record"),
            **_ENDPOINT_ERRORS,
        },
    },
}


# -- Mailboxes polled for TLS reports (api/rest/mailboxes.py, api/tlsrpt/) -------------------------------------
_MAILBOX_ID = [{"name": "mailbox_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_MAILBOX_TEXT = {"type": "string", "minLength": 1, "maxLength": 500, "pattern": NOT_BLANK}
_SCHEMAS["Mailbox"] = {
    "type": "object",
    "required": ["id", "host", "port", "security", "username", "folder", "processed", "reports_total", "skipped"],
    "properties": {
        "id": {"type": "integer"},
        "host": {"type": "string"},
        "port": {"type": "integer"},
        "security": {"enum": ["tls", "starttls", "none"]},
        "username": {"type": "string"},
        "folder": {"type": "string"},
        "processed": {"enum": ["move", "flag", "delete"], "description": "what is done with a processed message"},
        "processed_folder": {"type": "string"},
        "error_folder": {"type": "string"},
        "description": {"type": "string"},
        "enabled": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"},
        "last_poll_at": _NULLABLE_TIME,
        "last_success_at": _NULLABLE_TIME,
        "last_error_at": _NULLABLE_TIME,
        "last_error": {"type": ["string", "null"]},
        "failing_since": _NULLABLE_TIME,
        "reports_total": {"type": "integer"},
        "reports_today": {"type": "integer"},
        "skipped": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "by reason"},
    },
}
_MAILBOX_ERRORS = {"404": _error("no such mailbox in this organization"), **_COMMON_ERRORS}
_PATHS["/api/v1/mailboxes"] = {
    "get": {
        "summary": "the mailboxes polled for TLS reports, with their status (never their passwords)",
        "responses": {
            "200": _json(
                {"type": "object", "properties": {"mailboxes": {"type": "array", "items": _ref("Mailbox")}}},
                "mailboxes",
            ),
            **_BAD,
        },
    },
    "post": {
        "summary": "add a mailbox to poll over IMAP; its password is kept encrypted",
        "description": "The host must resolve, to public addresses only unless MAILFLOW_MAILBOX_ALLOW_PRIVATE=on "
        "(which also allows security `none`).",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["host", "username", "password"],
                        "additionalProperties": False,
                        "properties": {
                            "host": _MAILBOX_TEXT,
                            "username": _MAILBOX_TEXT,
                            "password": _MAILBOX_TEXT,
                            "port": {"type": ["integer", "null"], "minimum": 1, "maximum": 65535},
                            "security": {"enum": ["tls", "starttls", "none", None]},
                            "folder": {**_MAILBOX_TEXT, "type": ["string", "null"]},
                            "processed": {"enum": ["move", "flag", "delete", None]},
                            "processed_folder": {**_MAILBOX_TEXT, "type": ["string", "null"]},
                            "error_folder": {**_MAILBOX_TEXT, "type": ["string", "null"]},
                            "description": {"type": ["string", "null"], "maxLength": 500, "pattern": TEXT},
                        },
                    }
                }
            },
        },
        "responses": {
            "201": _json(_ref("Mailbox"), "added"),
            "400": _error("malformed JSON"),
            "413": _error("body too large"),
            "422": _error("invalid or refused fields, in details[] (a host that does not resolve or is not public)"),
            **_COMMON_ERRORS,
        },
    },
}
_PATHS["/api/v1/mailboxes/{mailbox_id}"] = {
    "get": {
        "summary": "one mailbox and its status",
        "parameters": _MAILBOX_ID,
        "responses": {"200": _json(_ref("Mailbox"), "the mailbox"), "400": _error("a bad argument"), **_MAILBOX_ERRORS},
    },
    "delete": {
        "summary": "stop polling a mailbox (its stored reports stay)",
        "parameters": _MAILBOX_ID,
        "responses": {"204": {"description": "removed"}, **_MAILBOX_ERRORS},
    },
}
_PATHS["/api/v1/mailboxes/{mailbox_id}/test"] = {
    "post": {
        "summary": "poll the mailbox now and say how it went",
        "parameters": _MAILBOX_ID,
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "polled": {"type": "boolean", "description": "false: another process was polling it"},
                        "ok": {"type": "boolean"},
                        "error": {"type": ["string", "null"]},
                        "messages": {"type": "integer"},
                        "reports": {"type": "integer"},
                        "mailbox": _ref("Mailbox"),
                    },
                },
                "how the poll went",
            ),
            **_MAILBOX_ERRORS,
        },
    },
}


# -- Accepted domains (api/rest/accepted_domains.py, api/tlsrpt/accepted_domains.py) ---------------------------
_DOMAIN = "a domain name of two labels or more (letters, digits, hyphens), an internationalized one too"
_SCHEMAS["AcceptedDomain"] = {
    "type": "object",
    "required": ["domain", "created_at", "url"],
    "properties": {
        "domain": {"type": "string", "description": "lower case, A-labels, no trailing dot; subdomains count too"},
        "created_at": {"type": "string", "format": "date-time"},
        "url": {"type": "string", "description": "/api/v1/accepted-domains/{domain}: DELETE it there"},
    },
}
_PATHS["/api/v1/accepted-domains"] = {
    "get": {
        "summary": "the domains the organization owns; none listed: every TLS report counts",
        "description": "With any listed, a TLS report policy for a domain that is neither one of them nor a "
        "subdomain of one is shown, flagged, and not counted in the TLS report figures or insights. Reports "
        "already stored count as soon as their domain is added (nothing is rewritten).",
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {"accepted_domains": {"type": "array", "items": _ref("AcceptedDomain")}},
                },
                "accepted domains",
            ),
            **_BAD,
        },
    },
    "post": {
        "summary": "add an accepted domain (normalised: lower case, IDN to A-labels, no trailing dot)",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["domain"],
                        "additionalProperties": False,
                        "properties": {"domain": {**_MAILBOX_TEXT, "maxLength": 1012, "description": _DOMAIN}},
                    }
                }
            },
        },
        "responses": {
            "201": _json(_ref("AcceptedDomain"), "added"),
            "200": _json(_ref("AcceptedDomain"), "listed already: nothing changed"),
            "400": _error("malformed JSON"),
            "413": _error("body too large"),
            "422": _error("not a domain name, in details[]"),
            **_COMMON_ERRORS,
        },
    },
}
_PATHS["/api/v1/accepted-domains/{domain}"] = {
    "delete": {
        "summary": "remove an accepted domain (its reports stay, flagged while other domains are listed)",
        "parameters": [
            {"name": "domain", "in": "path", "required": True, "schema": {"type": "string"}, "description": _DOMAIN}
        ],
        "responses": {
            "204": {"description": "removed"},
            "400": _error("not a domain name"),
            "404": _error("not an accepted domain of this organization"),
            **_COMMON_ERRORS,
        },
    },
}  # fmt: skip


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
