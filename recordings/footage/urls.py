from django.urls import path

from recordings.footage import views

urlpatterns = [
    path("cameras/<uuid:public_id>/recording/", views.camera_recording, name="camera_recording"),
]
