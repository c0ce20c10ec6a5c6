"""Sign up, sign in, sign out, and confirming an email address."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storefeed.accounts import selectors as account_selectors
from storefeed.accounts import services as account_services
from storefeed.accounts.errors import ConfirmationLinkInvalid, EmailAlreadyConfirmed
from storefeed.accounts.models import User
from storefeed.core.errors import DomainError
from storefeed.web.errors import show_error
from storefeed.web.forms import ResendConfirmationForm, SignInForm, SignUpForm
from storefeed.web.views.helpers import HtmxRequest

# The account this browser signed up as, or gave the right password for, while its address
# waits for confirmation: what lets the "send the link again" button work without a sign-in.
AWAITING_CONFIRMATION = "storefeed_awaiting_confirmation"


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def signup(request: HtmxRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_services.account_signup(
                **form.cleaned_data, locale=get_language(), site_url=_site_url(request)
            )
        except DomainError as error:
            show_error(request, error, form)
        else:
            if not user.email_confirmed:
                request.session[AWAITING_CONFIRMATION] = user.pk
                return redirect("web:confirm_pending")
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
            # A step after signing up (skippable): the fields one cares about, then whom
            # to follow in them.
            return redirect(reverse("web:interests") + "?welcome=1")
    return render(
        request, "web/auth/signup.html", {"form": form}, status=400 if form.errors else 200
    )


class SignInView(auth_views.LoginView):
    """An account whose address is not confirmed yet is refused with a button that sends
    the link again."""

    template_name = "web/auth/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        if form.unconfirmed_user is not None:
            self.request.session[AWAITING_CONFIRMATION] = form.unconfirmed_user.pk
        return super().form_invalid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["unconfirmed"] = getattr(form, "unconfirmed_user", None)
        return context


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""


def _awaiting(request: HttpRequest) -> User | None:
    return account_selectors.account_awaiting_confirmation(
        request.session.get(AWAITING_CONFIRMATION)
    )


def _pending_page(request: HttpRequest, user: User, form: ResendConfirmationForm) -> HttpResponse:
    return render(
        request,
        "web/auth/confirm_pending.html",
        {"account": user, "form": form},
        status=400 if form.errors else 200,
    )


def confirm_pending(request: HttpRequest) -> HttpResponse:
    """ "Check your inbox", with a form to send the link again (to a corrected address)."""
    user = _awaiting(request)
    if user is None:
        return redirect("web:login")
    return _pending_page(request, user, ResendConfirmationForm(initial={"email": user.email}))


@require_POST
def confirm_resend(request: HttpRequest) -> HttpResponse:
    user = _awaiting(request)
    if user is None:
        messages.error(request, _("Sign in to ask for a new confirmation link."))
        return redirect("web:login")
    form = ResendConfirmationForm(request.POST)
    if form.is_valid():
        try:
            user = account_services.email_confirmation_resend(
                account=user, email=form.cleaned_data["email"], site_url=_site_url(request)
            )
        except DomainError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("We sent a new link to %(email)s.") % {"email": user.email})
            return redirect("web:confirm_pending")
    return _pending_page(request, user, form)


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email: confirms the address, then signs in the browser that signed up
    (or gave the password), or sends others to the sign-in page."""
    try:
        user = account_services.email_confirm(token=token)
    except EmailAlreadyConfirmed:
        messages.info(request, _("Your email address is confirmed already. Sign in."))
        return redirect("web:login")
    except ConfirmationLinkInvalid as error:
        return render(
            request,
            "web/auth/confirm_failed.html",
            {"error": error, "awaiting": _awaiting(request)},
            status=400,
        )
    same_browser = request.session.pop(AWAITING_CONFIRMATION, None) == user.pk
    if account_selectors.account_awaiting_approval(user):
        messages.info(
            request,
            _(
                "Your email address is confirmed. Your account now waits for a staff "
                "member's approval; you can sign in once it is approved."
            ),
        )
        return redirect("web:login")
    if not user.is_active:
        messages.info(request, _("Your email address is confirmed. This account is disabled."))
        return redirect("web:login")
    if same_browser and not request.user.is_authenticated:
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(
            request,
            _("Your email address is confirmed. Welcome to Storefeed, %(name)s!")
            % {"name": user.name},
        )
        return redirect("web:home")
    messages.success(request, _("Your email address is confirmed. Sign in to start."))
    return redirect("web:login")
