"""API viewsets for sites and cameras. Every write goes through ``cameras.services``."""

from __future__ import annotations

import django_filters
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema, extend_schema_view

from accounts.roles import Action
from accounts.scoped_api import ScopedViewSet
from cameras import services
from cameras.models import Camera, CameraStatus, Site
from cameras.serializers import CameraSerializer, SiteSerializer
from portal.api_base import CRUD_MIXINS, PUBLIC_ID_PARAMETER, IdFilter, errors, read_schemas


class SiteFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")

    class Meta:
        model = Site
        fields = ["organization"]


@extend_schema_view(
    list=extend_schema(
        summary="List sites",
        description="Sites you can see, in every organization you belong to.",
        responses={200: SiteSerializer, **errors()},
    ),
    retrieve=extend_schema(
        summary="Get a site",
        description="One site you can see.",
        parameters=[PUBLIC_ID_PARAMETER],
        responses={200: SiteSerializer, **errors(404)},
    ),
    create=extend_schema(
        summary="Create a site",
        description="Create a site in an organization you manage (owner or admin).",
        responses={201: SiteSerializer, **errors(400, 409)},
    ),
    update=extend_schema(
        summary="Replace a site",
        description="Change a site's name, address and time zone; its organization cannot change.",
        parameters=[PUBLIC_ID_PARAMETER],
        responses={200: SiteSerializer, **errors(400, 404, 409)},
    ),
    partial_update=extend_schema(
        summary="Change a site",
        description="Change some of a site's name, address and time zone.",
        parameters=[PUBLIC_ID_PARAMETER],
        responses={200: SiteSerializer, **errors(400, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Delete a site",
        description="Delete a site **and all its cameras**.",
        parameters=[PUBLIC_ID_PARAMETER],
        responses={204: None, **errors(404)},
    ),
)
@extend_schema(tags=["sites"])
class SiteViewSet(*CRUD_MIXINS, ScopedViewSet):
    queryset = Site.objects.none()
    serializer_class = SiteSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    filterset_class = SiteFilter
    search_fields = ["name", "address"]
    ordering_fields = ["name", "created_at"]

    def base_queryset(self) -> QuerySet:
        # Count only the cameras the caller may see: a restricted viewer learns nothing more.
        visible = (
            Camera.objects.for_user(self.request.user, Action.VIEW)
            .filter(site=OuterRef("pk"))
            .order_by()
            .values("site")
            .annotate(n=Count("pk"))
            .values("n")
        )
        count = Coalesce(Subquery(visible, output_field=IntegerField()), Value(0))
        return Site.objects.select_related("organization").annotate(camera_count=count)

    def perform_create(self, serializer: SiteSerializer) -> None:
        organization = serializer.validated_data["organization"]
        site = services.create_site(self.request.user, organization, ip=self.ip, **serializer.service_fields())
        serializer.instance = self.refetch(site)

    def perform_update(self, serializer: SiteSerializer) -> None:
        site = services.update_site(self.request.user, serializer.instance, ip=self.ip, **serializer.service_fields())
        serializer.instance = self.refetch(site)

    def perform_destroy(self, instance: Site) -> None:
        services.delete_site(self.request.user, instance, ip=self.ip)


class CameraFilter(django_filters.FilterSet):
    site = django_filters.UUIDFilter(field_name="site__public_id", help_text="Site id.")
    organization = IdFilter(field_name="site__organization_id", help_text="Organization id.")
    status = django_filters.ChoiceFilter(choices=CameraStatus.choices)

    class Meta:
        model = Camera
        fields = ["site", "organization", "enabled", "status"]


CAMERA_WRITE_NOTE = (
    " Sources must be rtsp:// or rtsps:// URLs of a network camera; commands, devices, local paths, "
    "loopback and gateway addresses, `#` options and whitespace are refused. Sources and ONVIF "
    "credentials are write-only and stored encrypted."
)


@extend_schema_view(
    **read_schemas(
        CameraSerializer,
        list_summary="List cameras",
        list_description="Cameras you can see. Filter by site, organization, enabled and status; search by name.",
        one_summary="Get a camera",
        one_description="One camera you can see. Sources are masked; credentials are never returned.",
    ),
    create=extend_schema(
        summary="Add a camera",
        description="Add a camera to a site you manage." + CAMERA_WRITE_NOTE,
        responses={201: CameraSerializer, **errors(400, 409)},
    ),
    update=extend_schema(
        summary="Replace a camera",
        description="Change a camera you manage; omitted secrets are kept." + CAMERA_WRITE_NOTE,
        parameters=[PUBLIC_ID_PARAMETER],
        responses={200: CameraSerializer, **errors(400, 404, 409)},
    ),
    partial_update=extend_schema(
        summary="Change a camera",
        description="Change some fields of a camera you manage; a new site must be one you manage too."
        + CAMERA_WRITE_NOTE,
        parameters=[PUBLIC_ID_PARAMETER],
        responses={200: CameraSerializer, **errors(400, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Delete a camera",
        description="Delete a camera you manage.",
        parameters=[PUBLIC_ID_PARAMETER],
        responses={204: None, **errors(404)},
    ),
)
@extend_schema(tags=["cameras"])
class CameraViewSet(*CRUD_MIXINS, ScopedViewSet):
    queryset = Camera.objects.none()
    serializer_class = CameraSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    filterset_class = CameraFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    def base_queryset(self) -> QuerySet:
        return Camera.objects.select_related("site", "site__organization")

    def perform_create(self, serializer: CameraSerializer) -> None:
        site = serializer.validated_data["site"]
        camera = services.create_camera(self.request.user, site, ip=self.ip, **serializer.service_changes())
        serializer.instance = self.refetch(camera)

    def perform_update(self, serializer: CameraSerializer) -> None:
        site = serializer.validated_data.get("site")
        camera = services.update_camera(
            self.request.user, serializer.instance, site=site, ip=self.ip, **serializer.service_changes()
        )
        serializer.instance = self.refetch(camera)

    def perform_destroy(self, instance: Camera) -> None:
        services.delete_camera(self.request.user, instance, ip=self.ip)
