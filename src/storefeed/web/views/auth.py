"""Sign up, sign in, sign out."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from storefeed.accounts import services as account_services
from storefeed.core.errors import DomainError
from storefeed.web.errors import show_error
from storefeed.web.forms import SignInForm, SignUpForm
from storefeed.web.views.helpers import HtmxRequest


def signup(request: HtmxRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_services.account_signup(**form.cleaned_data)
        except DomainError as error:
            show_error(request, error, form)
        else:
            if not user.is_active:
                messages.info(
                    request,
                    _(
                        "Thanks, %(name)s! Your account waits for a staff member's approval; "
                        "you can sign in once it is approved."
                    )
                    % {"name": user.name},
                )
                return redirect("web:login")
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("Welcome to Storefeed, %(name)s!") % {"name": user.name})
            return redirect("web:home")
    return render(
        request, "web/auth/signup.html", {"form": form}, status=400 if form.errors else 200
    )


class SignInView(auth_views.LoginView):
    template_name = "web/auth/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""
