"""This document."""

from __future__ import annotations

from typing import Any

from api.contract.common import Operation, json

TAG = "openapi"
OPERATIONS = [Operation("GET", "/api/v1/openapi.json", "this document", {200: json(dict[str, Any], "OpenAPI 3.1")})]
