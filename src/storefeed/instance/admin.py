"""Staff pages for the instance: its rules, the about text and announcements."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from storefeed.core.text import clean_html
from storefeed.instance import services
from storefeed.instance.models import About, Announcement, Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("position", "text", "text_zh")
    list_display_links = ("text",)
    ordering = ("position", "id")


@admin.register(About)
class AboutAdmin(admin.ModelAdmin):
    list_display = ("__str__", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not About.objects.exists()

    def save_model(self, request: HttpRequest, obj: About, form: Any, change: bool) -> None:
        # HTML from staff, cleaned as posts are (no scripts, no styles).
        obj.extended_description = clean_html(obj.extended_description)
        super().save_model(request, obj, form, change)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("text", "published", "starts_at", "ends_at", "all_day", "published_at")
    list_filter = ("published",)
    fields = ("text", "published", "starts_at", "ends_at", "all_day")

    def save_model(self, request: HttpRequest, obj: Announcement, form: Any, change: bool) -> None:
        services.announcement_save(announcement=obj)

    def delete_model(self, request: HttpRequest, obj: Announcement) -> None:
        services.announcement_delete(announcement_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Announcement]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            services.announcement_delete(announcement_id=pk)
