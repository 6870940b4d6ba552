"""The member form: invite someone to a role, or change a member's role and site/camera limits."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts import invitations, services
from accounts.callers import Visitor
from accounts.forms import offer_choices
from accounts.models import Invitation, Membership, Organization
from accounts.roles import Action, Role
from cameras.forms import CameraChoiceField
from cameras.models import Camera, Site


class MemberForm(forms.Form):
    """Invite a member by e-mail, or change a member's role and restrictions."""

    email = forms.EmailField(
        label="E-mail address",
        help_text="They get an e-mail invitation and become a member when they accept it.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)
    sites = forms.ModelMultipleChoiceField(
        queryset=Site.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Limit to sites",
    )
    cameras = CameraChoiceField(
        queryset=Camera.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Limit to cameras",
    )

    def __init__(
        self, *args: Any, user: Visitor, organization: Organization, membership: Membership | None = None, **kwargs: Any
    ) -> None:
        self.user = user
        self.organization = organization
        self.membership = membership
        if membership is not None:
            kwargs.setdefault("initial", {
                "role": membership.role,
                "sites": [site.public_id for site in membership.sites.all()],
                "cameras": [camera.public_id for camera in membership.cameras.all()],
            })
        super().__init__(*args, **kwargs)
        offer_choices(self, "sites", Site.objects.for_user(user, Action.MANAGE).filter(organization=organization))
        cameras = Camera.objects.for_user(user, Action.MANAGE).filter(site__organization=organization)
        offer_choices(self, "cameras", cameras.select_related("site"))
        if membership is not None:
            del self.fields["email"]

    def save(self, *, ip: str | None) -> Membership | Invitation:
        """An invitation for a new member, the saved membership for a change."""
        data = self.cleaned_data
        restrictions = {"sites": data["sites"], "cameras": data["cameras"]}
        if self.membership is None:
            return invitations.invite_member(
                self.user, self.organization, email=data["email"], role=data["role"], ip=ip, **restrictions
            )
        return services.change_member(self.user, self.membership, role=data["role"], ip=ip, **restrictions)
