"""Placeholder until the screen lands."""
from django.http import HttpResponse
from django.shortcuts import render

from ioc_gis.screens import staff_screen


@staff_screen(lambda principal: True, refusal="")
def screen(request) -> HttpResponse:
    return render(request, "ioc_gis/screen.html", {"config": {}})
