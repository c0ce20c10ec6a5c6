"""Settings: the profile (name, bio, avatar, header, locked) and the password."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from storefeed.accounts import services as account_services
from storefeed.core.errors import DomainError
from storefeed.web.errors import show_error
from storefeed.web.forms import PasswordChangeForm, ProfileForm
from storefeed.web.views.helpers import AuthedRequest


@login_required
def settings_profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    initial = {
        "display_name": user.display_name,  # type: ignore[union-attr]
        "note": user.note,  # type: ignore[union-attr]
        "locked": user.locked,  # type: ignore[union-attr]
        "bot": user.bot,  # type: ignore[union-attr]
        "discoverable": user.discoverable,  # type: ignore[union-attr]
        "hide_collections": user.hide_collections,  # type: ignore[union-attr]
        "time_zone": user.time_zone,  # type: ignore[union-attr]
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.profile_update(account=user, **form.cleaned_data)
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("web:settings_profile")
    return render(
        request,
        "web/settings/profile.html",
        {"form": form, "settings_tab": "profile", "tab": "me"},
        status=400 if form.errors else 200,
    )


@login_required
def settings_password(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.password_change(
                account=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                keep_apps=form.cleaned_data["keep_apps"],
            )
        except DomainError as error:
            show_error(request, error, form)
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Your password is changed."))
            return redirect("web:settings_password")
    return render(
        request,
        "web/settings/password.html",
        {"form": form, "settings_tab": "password", "tab": "me"},
        status=400 if form.errors else 200,
    )
