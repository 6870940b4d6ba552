"""The API's page numbers: a malformed one is bad input (400), one past the end is not found (404).

Kept apart from ``portal.api_base``: DRF reads the pagination class while
``rest_framework.generics`` is still loading, which ``api_base`` imports.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Paginator
from rest_framework import exceptions, pagination
from rest_framework.request import Request

PAGE_MESSAGE = "Give a page number: a whole number from 1 (or last)."


class PageNumberPagination(pagination.PageNumberPagination):
    invalid_page_message = "No such page: the list has fewer pages."

    def get_page_number(self, request: Request, paginator: Paginator) -> Any:
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            return paginator.num_pages
        if not re.fullmatch(r"[0-9]+", raw) or int(raw) < 1:
            raise exceptions.ValidationError({self.page_query_param: [PAGE_MESSAGE]})
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters
