"""Mounted at / by config/urls.py only when commerce is on."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
