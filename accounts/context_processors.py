from django.http import HttpRequest


def organizations(request: HttpRequest) -> dict:
    return {
        "organizations": getattr(request, "organizations", []),
        "active_organization": getattr(request, "organization", None),
    }
