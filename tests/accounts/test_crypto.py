"""Encryption at rest of camera secrets."""

import pytest
from django.db import connection
from django.test import override_settings

from portal import crypto
from tests.support.factories import make_camera, make_organization, make_site


def test_round_trip() -> None:
    assert crypto.decrypt(crypto.encrypt("rtsp://a:b@c/d")) == "rtsp://a:b@c/d"


def test_rotation_keeps_old_ciphertext_readable() -> None:
    old_key, new_key = crypto.generate_key(), crypto.generate_key()
    with override_settings(CCTV_ENCRYPTION_KEYS=[old_key]):
        token = crypto.encrypt("secret")
    with override_settings(CCTV_ENCRYPTION_KEYS=[new_key, old_key]):
        assert crypto.decrypt(token) == "secret"
        rotated = crypto.rotate(token)
    with override_settings(CCTV_ENCRYPTION_KEYS=[new_key]):
        assert crypto.decrypt(rotated) == "secret"
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token)


@pytest.mark.django_db
def test_camera_secrets_are_ciphertext_in_the_database() -> None:
    site = make_site(make_organization())
    camera = make_camera(
        site,
        main_source="rtsp://admin:MainSecret77@192.168.1.64/live",
        onvif_host="192.168.1.64",
        onvif_username="onvifuser",
        onvif_password="OnvifSecret88",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT main_source, onvif_username, onvif_password FROM cameras_camera WHERE id = %s", [camera.pk]
        )
        row = cursor.fetchone()
    assert all(value.startswith("gAAAA") for value in row)  # Fernet tokens
    assert not any(secret in "".join(row) for secret in ("MainSecret77", "onvifuser", "OnvifSecret88"))
    camera.refresh_from_db()
    assert camera.onvif_password == "OnvifSecret88"
