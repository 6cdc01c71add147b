from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The wiring, installed so that `seed_demo` is found as a management command, and so that
    it registers the notices that read several apps (`config.notices`)."""

    name = "config"
    label = "config"
    verbose_name = "Wiring"

    def ready(self) -> None:
        from config import notices

        notices.register()
