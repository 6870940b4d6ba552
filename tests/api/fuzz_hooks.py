"""Schemathesis hooks of the schema-fuzz test, loaded by the fuzzer's own process (``hooks`` in its config).

- Request bodies are generated as JSON only: the API's contract for
  integrators. The schema also lists DRF's form and multipart parsers; fuzzing
  each body three times over would triple the run for the same serializers.
- The fuzzer keeps its credentials to the end of the run: a revoke that names
  its own token (``FUZZ_OWN_TOKEN_ID``) is pointed at the fuzz organization's
  spare token (``FUZZ_SPARE_TOKEN_ID``) instead. Everything else the token may
  do, revoking other tokens included, is sent as generated.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

JSON = "application/json"
TOKEN_PATHS = ("/api/v1/tokens/{id}/", "/api/v1/tokens/{id}/revoke/")


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    for item in raw_schema.get("paths", {}).values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content") if isinstance(operation, dict) else None
            if content and JSON in content:
                operation["requestBody"]["content"] = {JSON: content[JSON]}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    own, spare = os.environ["FUZZ_OWN_TOKEN_ID"], os.environ["FUZZ_SPARE_TOKEN_ID"]
    revoking = case.path in TOKEN_PATHS and case.method in ("DELETE", "POST")
    if revoking and str((case.path_parameters or {}).get("id")) == own:
        case.path_parameters["id"] = int(spare)
