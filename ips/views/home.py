"""The home page: one per role, combined for people who hold several."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ips.selectors import home_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ips/home.html", {"home": home_for(request.user)})
