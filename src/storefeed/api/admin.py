"""Registered API clients in the admin, beside django-oauth-toolkit's own pages."""

from django.contrib import admin

from storefeed.api.models import ClientApp


@admin.register(ClientApp)
class ClientAppAdmin(admin.ModelAdmin):
    list_display = ["application", "scopes", "website", "created_at"]
    search_fields = ["application__name", "application__client_id", "website"]
    readonly_fields = ["application", "created_at"]
