from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The wiring, installed only so that `seed_demo` is found as a management command."""

    name = "config"
    label = "config"
    verbose_name = "Wiring"
