from django.urls import path

from recordings.playback import views

urlpatterns = [
    path("cameras/<uuid:public_id>/timeline/", views.camera_timeline, name="camera_timeline"),
    path("playback/<str:token>/index.m3u8", views.session_playlist, name="playback_playlist"),
    path("playback/<str:token>/s/<int:segment_id>.mp4", views.session_segment, name="playback_segment"),
]
