"""The API router: every app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from accounts.api import APITokenViewSet, AuditEventViewSet, OrganizationViewSet
from cameras.api import CameraViewSet, SiteViewSet
from cameras.grants.api import InvitationViewSet, MemberViewSet
from cameras.ptz.api import CameraPTZViewSet, PTZPresetViewSet
from recordings.clips.api import ClipViewSet, ExportBundleViewSet
from recordings.footage.api import CameraRecordingViewSet, LegalHoldViewSet, OrganizationStorageViewSet
from recordings.motion.api import CameraMotionViewSet, MotionEventViewSet
from recordings.notifications.api import NotificationDeliveryViewSet, NotificationRuleViewSet, WebhookViewSet
from recordings.playback.api import CameraPlaybackViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("sites", SiteViewSet, basename="site")
router.register("cameras", CameraViewSet, basename="camera")
router.register(r"cameras/(?P<id>[^/.]+)/ptz/presets", PTZPresetViewSet, basename="camera-ptz-preset")
router.register(r"cameras/(?P<id>[^/.]+)/ptz", CameraPTZViewSet, basename="camera-ptz")
router.register("members", MemberViewSet, basename="member")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("tokens", APITokenViewSet, basename="token")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("clips", ClipViewSet, basename="clip")
router.register("exports", ExportBundleViewSet, basename="export")
router.register("motion-events", MotionEventViewSet, basename="motion-event")
# Only the "motion" action of this viewset is routed: /cameras/<id>/motion/ (GET, PUT, PATCH).
router.register(r"cameras/(?P<id>[^/.]+)", CameraMotionViewSet, basename="camera-motion")
# Only the "recording" and "recordings" actions: /cameras/<id>/recording/ and /cameras/<id>/recordings/.
router.register(r"cameras/(?P<id>[^/.]+)", CameraRecordingViewSet, basename="camera-recording")
# Only the "playback" and "timeline" actions: /cameras/<id>/playback/ (POST) and /cameras/<id>/timeline/.
router.register(r"cameras/(?P<id>[^/.]+)", CameraPlaybackViewSet, basename="camera-playback")
# Only the "storage" action: /organizations/<id>/storage/ (GET, PATCH).
router.register(r"organizations/(?P<id>[^/.]+)", OrganizationStorageViewSet, basename="organization-storage")
router.register("holds", LegalHoldViewSet, basename="legal-hold")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("notification-rules", NotificationRuleViewSet, basename="notification-rule")
router.register("notification-deliveries", NotificationDeliveryViewSet, basename="notification-delivery")
