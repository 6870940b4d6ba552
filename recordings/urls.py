from django.urls import path

from recordings import motion_views, notification_views, views

urlpatterns = [
    path("clips/", views.clip_list, name="clip_list"),
    path("clips/new/", views.clip_request, name="clip_request"),
    path("clips/<uuid:public_id>/download/", views.clip_download, name="clip_download"),
    path("clips/<uuid:public_id>/delete/", views.clip_delete, name="clip_delete"),
    path("alerts/", motion_views.alert_list, name="alert_list"),
    path("alerts/badge/", motion_views.alert_badge, name="alert_badge"),
    path("alerts/acknowledge/", motion_views.motion_acknowledge_many, name="motion_acknowledge_many"),
    path("alerts/<uuid:public_id>/acknowledge/", motion_views.motion_acknowledge, name="motion_acknowledge"),
    path("alerts/<uuid:public_id>/export/", motion_views.motion_export, name="motion_export"),
    path("alerts/<uuid:public_id>/snapshot.jpg", motion_views.motion_snapshot, name="motion_snapshot"),
    path("cameras/<uuid:public_id>/motion/", motion_views.camera_motion, name="camera_motion"),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/rules/new/", notification_views.rule_create, name="notification_rule_create"),
    path("notifications/rules/<uuid:public_id>/", notification_views.rule_edit, name="notification_rule_edit"),
    path("notifications/rules/<uuid:public_id>/delete/", notification_views.rule_delete,
         name="notification_rule_delete"),
    path("notifications/webhooks/new/", notification_views.webhook_create, name="webhook_create"),
    path("notifications/webhooks/<uuid:public_id>/", notification_views.webhook_edit, name="webhook_edit"),
    path("notifications/webhooks/<uuid:public_id>/test/", notification_views.webhook_test, name="webhook_test"),
    path("notifications/webhooks/<uuid:public_id>/rotate/", notification_views.webhook_rotate, name="webhook_rotate"),
    path("notifications/webhooks/<uuid:public_id>/delete/", notification_views.webhook_delete, name="webhook_delete"),
]
