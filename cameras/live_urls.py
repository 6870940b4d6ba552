from django.urls import path

from cameras import live_views

urlpatterns = [
    path("", live_views.live_grid, name="live_grid"),
    path("cameras/<uuid:public_id>/", live_views.live_camera, name="live_camera"),
    path("cameras/<uuid:public_id>/access/", live_views.live_access, name="live_access"),
    path("views/save/", live_views.live_view_save, name="live_view_save"),
    path("views/<uuid:public_id>/", live_views.live_saved_view, name="live_saved_view"),
    path("views/<uuid:public_id>/delete/", live_views.live_view_delete, name="live_view_delete"),
]
