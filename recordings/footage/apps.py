from django.apps import AppConfig


class FootageConfig(AppConfig):
    name = "recordings.footage"
    label = "footage"
    verbose_name = "Recording"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Remote tiers delete through the one deletion path (retention, quotas, holds).
        from recordings.footage import mover

        mover.register_removers()
