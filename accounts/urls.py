from django.urls import path

from accounts import invitation_views, views

urlpatterns = [
    path("organization/", views.organization_settings, name="organization_settings"),
    path("organization/switch/", views.organization_switch, name="organization_switch"),
    # The invited person's side; the key-bearing address only hands the key to the session.
    path("invitations/accept/", invitation_views.invitation_respond, name="invitation_respond"),
    path("invitations/<str:key>/", invitation_views.invitation_open, name="invitation_open"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
]
