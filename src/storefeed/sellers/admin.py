"""Staff pages for the seller program; every decision goes through the services."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from storefeed.core.errors import DomainError
from storefeed.sellers import services
from storefeed.sellers.models import Seller, SellerApplication, SellerDecision


class ReasonActionForm(ActionForm):
    """The action bar gains a reason box, read by the reject, suspend and reinstate actions."""

    reason = forms.CharField(required=False, label=_("Reason"), max_length=1000)


def _run_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    items: list,
    call: Callable[[object, str], object],
    done_message: Callable[[int], str],
) -> None:
    reason = request.POST.get("reason", "")
    done = 0
    for item in items:
        try:
            call(item, reason)
        except DomainError as exc:
            modeladmin.message_user(request, f"{item}: {exc.message}", messages.ERROR)
            continue
        done += 1
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)


class DecisionInline(admin.TabularInline):
    model = SellerDecision
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "by", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SellerApplication)
class SellerApplicationAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    actions = ["approve", "reject"]
    list_display = (
        "shop_name",
        "account",
        "field",
        "state",
        "real_name",
        "id_number",
        "contact_phone",
        "created_at",
        "decided_by",
    )
    list_filter = ("state", "field")
    list_select_related = ("account", "field", "decided_by")
    search_fields = ("shop_name", "account__username", "real_name")
    ordering = ("state", "id")
    readonly_fields = (
        "account",
        "shop_name",
        "field",
        "sells",
        "contact_phone",
        "real_name",
        "id_number",
        "agreed_at",
        "state",
        "reason",
        "decided_at",
        "decided_by",
        "created_at",
    )
    inlines = [DecisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applicants apply through the service (web page or API)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Approve selected applications"))
    def approve(self, request: HttpRequest, queryset: QuerySet[SellerApplication]) -> None:
        _run_each(
            self,
            request,
            list(queryset),
            lambda app, reason: services.seller_application_approve(
                application_id=app.pk,  # type: ignore[attr-defined]
                by=request.user,  # type: ignore[arg-type]
                reason=reason,
            ),
            lambda n: (
                ngettext("%(count)d application approved.", "%(count)d applications approved.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Reject selected applications (with the reason given)"))
    def reject(self, request: HttpRequest, queryset: QuerySet[SellerApplication]) -> None:
        _run_each(
            self,
            request,
            list(queryset),
            lambda app, reason: services.seller_application_reject(
                application_id=app.pk,  # type: ignore[attr-defined]
                by=request.user,  # type: ignore[arg-type]
                reason=reason,
            ),
            lambda n: (
                ngettext("%(count)d application rejected.", "%(count)d applications rejected.", n)
                % {"count": n}
            ),
        )


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    actions = ["suspend", "reinstate"]
    list_display = ("shop_name", "account", "field", "state", "state_changed_at", "created_at")
    list_filter = ("state", "field")
    list_select_related = ("account", "field")
    search_fields = ("shop_name", "account__username")
    readonly_fields = (
        "account",
        "application",
        "shop_name",
        "field",
        "state",
        "state_changed_at",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Suspend selected sellers (with the reason given)"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[Seller]) -> None:
        _run_each(
            self,
            request,
            list(queryset),
            lambda seller, reason: services.seller_suspend(
                account_id=seller.pk,  # type: ignore[attr-defined]
                by=request.user,  # type: ignore[arg-type]
                reason=reason,
            ),
            lambda n: (
                ngettext("%(count)d seller suspended.", "%(count)d sellers suspended.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Reinstate selected sellers (with the reason given)"))
    def reinstate(self, request: HttpRequest, queryset: QuerySet[Seller]) -> None:
        _run_each(
            self,
            request,
            list(queryset),
            lambda seller, reason: services.seller_reinstate(
                account_id=seller.pk,  # type: ignore[attr-defined]
                by=request.user,  # type: ignore[arg-type]
                reason=reason,
            ),
            lambda n: (
                ngettext("%(count)d seller reinstated.", "%(count)d sellers reinstated.", n)
                % {"count": n}
            ),
        )


@admin.register(SellerDecision)
class SellerDecisionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "account", "action", "by", "reason")
    list_filter = ("action",)
    list_select_related = ("account", "by")
    search_fields = ("account__username", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
