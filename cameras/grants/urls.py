from django.urls import path

from cameras.grants import views

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/<int:pk>/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("members/invitations/<uuid:public_id>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
]
