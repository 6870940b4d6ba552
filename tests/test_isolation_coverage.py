"""Every entry point has an isolation case: a test proving another organization gets 404 or no rows.

This walks every registered API route (the DRF router under /api/), every
named page URL pattern and every model registered in the Django admin, and
fails when one is in none of:

- the isolation matrices, which name the routes and models they exercise
  and check, case by case, that each URL they request resolves to that
  route: tests/api/test_api_isolation.py, tests/pages/test_feature_isolation.py,
  tests/admin/test_admin_scoping.py;
- the explicit map below, route or model -> the feature test that proves it
  (checked to exist);
- the short list of entry points that hold no tenant data, each with why.

A new route, page or admin model therefore fails here until someone says
how it keeps one organization's rows from another.
"""

from __future__ import annotations

import importlib

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from tests.admin.test_admin_scoping import FEATURE_ADMIN_MODELS, TENANT_MODELS
from tests.api.test_api_isolation import covered_api_routes
from tests.pages.test_feature_isolation import covered_page_routes

PAGE_MATRIX = "tests/pages/test_access.py::test_page_status_for_every_role"

# Page routes proven by a test of their own feature, or by the core page matrix.
PAGE_TESTS: dict[str, str] = {
    "site_create": PAGE_MATRIX,
    "site_edit": "tests/pages/test_access.py::test_missing_objects_answer_the_same_404_as_foreign_ones",
    "site_delete": "tests/pages/test_access.py::test_posts_at_a_objects_from_org_b_answer_404_and_change_nothing",
    "camera_edit": "tests/pages/test_access.py::test_missing_objects_answer_the_same_404_as_foreign_ones",
    "camera_delete": "tests/pages/test_access.py::test_missing_objects_answer_the_same_404_as_foreign_ones",
    "member_edit": "tests/pages/test_access.py::test_missing_objects_answer_the_same_404_as_foreign_ones",
    "member_remove": "tests/pages/test_access.py::test_missing_objects_answer_the_same_404_as_foreign_ones",
    "organization_switch": "tests/pages/test_organization.py::test_switching_to_a_foreign_organization_answers_404",
    "live_view_save": "tests/cameras/test_saved_views.py::test_saving_a_foreign_camera_through_the_page_says_why",
    "alert_badge": (
        "tests/recordings/test_motion_pages.py::test_nav_badge_counts_recent_unacknowledged_alerts_of_visible_cameras"
    ),
    "playback_playlist": "tests/playback/test_sessions.py::test_a_copied_playlist_url_answers_404_to_anyone_else",
    "playback_segment": "tests/playback/test_sessions.py::test_a_session_serves_only_its_own_cameras_segments",
    "invitation_respond": "tests/pages/test_invitations.py::test_someone_signed_in_with_another_account_cannot_accept",
    "camera_test_source": (
        "tests/pages/test_camera_form_input.py::test_a_viewer_cannot_test_and_a_foreign_camera_is_404"
    ),
    "camera_test_new_source": (
        "tests/live/test_source_probe.py::test_a_refused_source_is_a_400_before_the_gateway_is_contacted"
    ),
    "site_playback": "tests/playback/test_pages.py::test_a_site_the_person_cannot_see_answers_404",
    "saved_view_playback": (
        "tests/playback/test_pages.py::test_a_saved_view_plays_only_the_cameras_its_owner_may_still_watch"
    ),
}

# Admin models proven by a test of their own feature.
ADMIN_TESTS: dict[str, str] = {
    "footage.Segment": (
        "tests/footage/test_admin.py::test_segments_are_listed_only_for_the_admins_organization_and_read_only"
    ),
    # Its last lines: another organization's tier answers 404.
    "footage.StorageTier": (
        "tests/footage/test_tier_config.py::test_the_admin_form_never_renders_credentials_and_keeps_them_when_left_empty"
    ),
}
PLATFORM_ONLY = "tests/admin/test_admin_scoping.py::test_org_admin_sees_tenant_models_but_not_people_or_gateways"
# Platform data: only superusers reach it; an organization's admin gets 403 and does not see it listed.
for _label in ("auth.Group", "account.EmailAddress", "mfa.Authenticator", "accounts.User", "cameras.Gateway",
               "footage.Recorder", "footage.VolumeGuardRun"):
    ADMIN_TESTS[_label] = PLATFORM_ONLY

# Entry points with no tenant data at all.
NO_TENANT_DATA: dict[str, str] = {
    "api-root": "the router's index: links to the other routes, no rows",
    "api-schema": "the OpenAPI document, the same for everyone",
    "api-docs": "the Swagger page that reads the schema",
    "invitation_open": "hands the link's key to the session and redirects; the key is the only credential "
                       "(tests/pages/test_invitations.py)",
    "web_manifest": "the web app manifest: the portal's name and icons, the same for everyone",
    "favicon": "the portal's icon",
}


def _walk(patterns: list, prefix: str = "") -> list[tuple[str, str | None]]:
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes += _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append((prefix + str(pattern.pattern), pattern.name))
    return routes


def _routes() -> list[tuple[str, str | None]]:
    return _walk(get_resolver().url_patterns)


def api_routes() -> set[str]:
    return {name for path, name in _routes() if path.startswith("api/v1/") and name}


def page_routes() -> set[str]:
    """Named page routes of the portal (not the admin, the API, or allauth's own account pages)."""
    own = ("admin/", "api/", "accounts/")
    return {name for path, name in _routes() if name and not path.startswith(own)}


def _test_exists(reference: str) -> bool:
    path, _, function = reference.partition("::")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return callable(getattr(module, function, None))


def test_every_api_route_has_an_isolation_case() -> None:
    uncovered = api_routes() - covered_api_routes() - set(NO_TENANT_DATA)

    assert sorted(uncovered) == [], "API routes without an isolation case in tests/api/test_api_isolation.py"


def test_every_page_has_an_isolation_case() -> None:
    matrix = {"dashboard", "site_list", "camera_detail", "camera_create", "member_list", "member_add", "token_list",
              "token_create", "audit_log", "organization_settings"}  # tests/pages/test_access.py's PAGES
    covered = covered_page_routes() | matrix | set(PAGE_TESTS) | set(NO_TENANT_DATA)

    assert sorted(page_routes() - covered) == [], "pages without an isolation case"


def test_every_admin_model_has_an_isolation_case() -> None:
    covered = {model._meta.label for model in (*TENANT_MODELS, *FEATURE_ADMIN_MODELS)} | set(ADMIN_TESTS)
    registered = {model._meta.label for model in admin.site._registry}

    assert sorted(registered - covered) == [], "admin models without an isolation case"


def test_the_map_names_tests_that_exist_and_routes_that_exist() -> None:
    references = [*PAGE_TESTS.values(), *ADMIN_TESTS.values(), PAGE_MATRIX]
    registered = {model._meta.label for model in admin.site._registry}

    assert [ref for ref in references if not _test_exists(ref)] == []
    assert sorted(set(PAGE_TESTS) - page_routes()) == []
    assert sorted(set(ADMIN_TESTS) - registered) == []
    assert sorted(set(NO_TENANT_DATA) - api_routes() - page_routes() - {"api-schema", "api-docs"}) == []
