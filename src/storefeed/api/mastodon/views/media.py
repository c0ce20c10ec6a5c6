"""Mastodon API: media."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
