from django.urls import path

from recordings import views

urlpatterns = [
    path("clips/", views.clip_list, name="clip_list"),
    path("clips/new/", views.clip_request, name="clip_request"),
    path("clips/<uuid:public_id>/download/", views.clip_download, name="clip_download"),
    path("clips/<uuid:public_id>/delete/", views.clip_delete, name="clip_delete"),
]
