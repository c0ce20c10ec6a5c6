"""Mastodon API: statuses."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
