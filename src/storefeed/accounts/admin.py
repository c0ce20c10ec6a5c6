"""Staff pages for accounts: search, expert verification (through the service), fields."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from storefeed.accounts.models import ExpertField, User
from storefeed.accounts.services import (
    account_approve,
    email_confirm_by_staff,
    expert_revoke,
    expert_verify,
)
from storefeed.accounts.throttle import SignInThrottled
from storefeed.core.errors import DomainError


class ThrottledAdminSignInForm(AdminAuthenticationForm):
    """The admin's sign-in is throttled like every other (accounts/throttle.py)."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except SignInThrottled as throttled:
            raise forms.ValidationError(throttled.message, code="throttled") from None


admin.site.login_form = ThrottledAdminSignInForm


class ExpertActionForm(ActionForm):
    """The action bar gains a field picker, read by the "verify as expert" action."""

    expert_field = forms.ModelChoiceField(
        queryset=ExpertField.objects.all(), required=False, label=_("Expert field")
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    action_form = ExpertActionForm
    actions = ["verify_expert", "revoke_expert", "approve_signup", "confirm_email"]
    list_display = (
        "username",
        "display_name",
        "email",
        "expert_field",
        "expert_verified_at",
        "followers_count",
        "following_count",
        "statuses_count",
        "locked",
        "is_staff",
        "is_active",
        "email_confirmed_at",
    )
    list_filter = ("expert_field", "locked", "is_staff", "is_superuser", "is_active")
    list_select_related = ("expert_field",)
    search_fields = ("username", "display_name", "email")
    ordering = ("-followers_count", "username")
    readonly_fields = (
        "expert_field",
        "expert_verified_at",
        "followers_count",
        "following_count",
        "statuses_count",
        "last_status_at",
        "last_login",
        "date_joined",
        "email_confirmed_at",
    )
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Profile"), {"fields": ("display_name", "note", "avatar", "header", "locked")}),
        (
            _("Email confirmation (use the list's actions to change)"),
            {"fields": ("email_confirmed_at", "locale")},
        ),
        (
            _("Expert (use the list's actions to change)"),
            {"fields": ("expert_field", "expert_verified_at")},
        ),
        (
            _("Counts"),
            {"fields": ("followers_count", "following_count", "statuses_count", "last_status_at")},
        ),
    )

    def _each(
        self,
        request: HttpRequest,
        accounts: QuerySet[User],
        service: Callable[..., object],
        **kwargs: Any,
    ) -> int | None:
        """Call `service(account=..., by=<the staff member>, **kwargs)` for each account;
        the first refusal is shown and stops the rest (None). Returns how many were done."""
        done = 0
        for account in accounts:
            try:
                service(account=account, by=request.user, **kwargs)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return None
            done += 1
        return done

    @admin.action(description=_("Verify selected accounts as experts in the chosen field"))
    def verify_expert(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        field_id = request.POST.get("expert_field")
        field = ExpertField.objects.filter(pk=field_id).first() if field_id else None
        if field is None:
            self.message_user(
                request, _("Choose an expert field next to the action."), messages.ERROR
            )
            return
        done = self._each(request, queryset, expert_verify, field=field)
        if done is not None:
            self.message_user(
                request,
                ngettext(
                    "%(count)d account verified as an expert in %(field)s.",
                    "%(count)d accounts verified as experts in %(field)s.",
                    done,
                )
                % {"count": done, "field": field.name},
                messages.SUCCESS,
            )

    @admin.action(description=_("Remove the expert badge from selected accounts"))
    def revoke_expert(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = self._each(request, queryset, expert_revoke)
        if done is not None:
            self.message_user(
                request,
                ngettext(
                    "%(count)d expert badge removed.", "%(count)d expert badges removed.", done
                )
                % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Approve the selected sign-ups (let them sign in)"))
    def approve_signup(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = self._each(request, queryset.filter(is_active=False), account_approve)
        if done is not None:
            self.message_user(
                request,
                ngettext("%(count)d sign-up approved.", "%(count)d sign-ups approved.", done)
                % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Confirm the email addresses of the selected accounts"))
    def confirm_email(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        unconfirmed = queryset.filter(email_confirmed_at__isnull=True)
        done = self._each(request, unconfirmed, email_confirm_by_staff)
        if done is not None:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email address confirmed.",
                    "%(count)d email addresses confirmed.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )


@admin.register(ExpertField)
class ExpertFieldAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "name_zh", "position")
    list_editable = ("name_en", "name_zh", "position")
    search_fields = ("slug", "name_en", "name_zh")
    prepopulated_fields = {"slug": ("name_en",)}
