"""The wiring: settings, root URLs, the API router, the Celery app, the home page and `seed_demo`.

The only package that imports every app; the apps never import it (`make lint` checks).
"""

from config.celery import app as celery_app

__all__ = ("celery_app",)
