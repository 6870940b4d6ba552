from django.urls import path

from cameras import source_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/new/", views.site_create, name="site_create"),
    path("sites/<uuid:public_id>/edit/", views.site_edit, name="site_edit"),
    path("sites/<uuid:public_id>/delete/", views.site_delete, name="site_delete"),
    path("cameras/new/", views.camera_create, name="camera_create"),
    path("cameras/test-source/", source_views.test_new_source, name="camera_test_new_source"),
    path("cameras/<uuid:public_id>/test-source/", source_views.test_camera_source, name="camera_test_source"),
    path("cameras/<uuid:public_id>/", views.camera_detail, name="camera_detail"),
    path("cameras/<uuid:public_id>/edit/", views.camera_edit, name="camera_edit"),
    path("cameras/<uuid:public_id>/delete/", views.camera_delete, name="camera_delete"),
    path("cameras/<uuid:public_id>/snapshot.jpg", views.camera_snapshot, name="camera_snapshot"),
    path("cameras/<uuid:public_id>/thumbnail.jpg", views.camera_thumbnail, name="camera_thumbnail"),
    path("cameras/<uuid:public_id>/recent.jpg", views.camera_recent_picture, name="camera_recent_picture"),
]
