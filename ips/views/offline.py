"""The installable web app: its manifest, its service worker and the page it shows offline.

None of the three holds anything of a user or a client, so all three answer anyone, logged in or
not. The worker (static/js/sw.js) is a static file served from the site's root, the only place
whose scope covers every page; it caches static files and the offline page, never a page or an
API answer (those carry client data and are `no-store`, ips.middleware.NoStoreMiddleware).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

SERVICE_WORKER = "js/sw.js"


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """static/js/sw.js, from the root so that it may look after every page of the site."""
    body = Path(finders.find(SERVICE_WORKER)).read_text(encoding="utf-8")  # type: ignore[arg-type]
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def web_manifest(request: HttpRequest) -> JsonResponse:
    """What a phone needs to install the site as an app (icons by their static addresses)."""
    icons = [
        {"src": static(f"img/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    manifest = {
        "name": "IPS case management",
        "short_name": "IPS",
        "id": "/",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "icons": [*icons, {**icons[-1], "purpose": "maskable"}],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """The page the service worker shows when a page cannot be reached: no client data, only
    what waits in this phone's outbox (counted by static/js/offline.js)."""
    return render(request, "ips/offline.html")
