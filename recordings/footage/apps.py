from django.apps import AppConfig


class FootageConfig(AppConfig):
    name = "recordings.footage"
    label = "footage"
    verbose_name = "Recording"
    default_auto_field = "django.db.models.BigAutoField"
