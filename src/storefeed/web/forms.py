"""Web forms: they check what a browser can get wrong cheaply (lengths, counts, required
fields) and hand the rest to the services, whose errors come back through web.errors."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from storefeed.accounts import timezones
from storefeed.accounts.backends import account_for_credentials
from storefeed.accounts.models import User
from storefeed.accounts.selectors import account_entry_refusal
from storefeed.accounts.throttle import SignInThrottled
from storefeed.core.text import text_length
from storefeed.posts.models import Visibility
from storefeed.posts.video import looks_like_video


class SignUpForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=30,
        help_text=_("Letters, digits and underscores; this is your @handle."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(label=_("Display name"), max_length=60, required=False)
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not too common."),
    )


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("That username and password do not match. Please try again."),
        "inactive": _("This account is disabled."),
        "pending": _(
            "Your account waits for a staff member's approval; you can sign in once it is approved."
        ),
        "unconfirmed": _("Confirm your email address first: open the link we sent to %(email)s."),
    }
    # The account whose password was right but whose address is not confirmed yet.
    unconfirmed_user: User | None = None
    # Seconds to wait when sign-ins from here or to this account are throttled.
    retry_after: int | None = None

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except SignInThrottled as throttled:
            # Says when to try again, whether the account exists or not.
            self.retry_after = throttled.retry_after
            raise forms.ValidationError(throttled.message, code="throttled") from None
        except forms.ValidationError as error:
            # The backend refuses inactive accounts as if the password were wrong; with the
            # right password, say why instead (a sign-up waiting for staff, or disabled).
            if error.code == "invalid_login":
                user = account_for_credentials(
                    self.cleaned_data.get("username"), self.cleaned_data.get("password")
                )
                if user is not None and not user.is_active:
                    self.confirm_login_allowed(user)
            raise

    def confirm_login_allowed(self, user: User) -> None:
        refusal = account_entry_refusal(user)
        if refusal == "unconfirmed":
            self.unconfirmed_user = user
            raise forms.ValidationError(
                self.error_messages["unconfirmed"],
                code="unconfirmed",
                params={"email": user.email},
            )
        if refusal is not None:
            code = "inactive" if refusal == "disabled" else refusal
            raise forms.ValidationError(self.error_messages[code], code=code)


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("Mistyped it? Correct it here and the new link goes to the new address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several uploaded files under one name; an empty selection is an empty list."""

    widget = MultipleImageInput

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:  # type: ignore[override]
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


class ComposeForm(forms.Form):
    text = forms.CharField(
        label=_("What's new?"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("What's new?"), "data-counter": "text"}
        ),
    )
    images = MultipleImageField(
        label=_("Images or a video"),
        widget=MultipleImageInput(
            attrs={
                "accept": "image/jpeg,image/png,image/gif,image/webp,"
                "video/mp4,video/webm,video/quicktime"
            }
        ),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )
    spoiler_text = forms.CharField(
        label=_("Content warning"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Content warning (optional)")}),
    )
    sensitive = forms.BooleanField(label=_("Mark images as sensitive"), required=False)
    in_reply_to_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    quote_of_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        limit = settings.STATUS_MAX_CHARACTERS
        if text_length(text) > limit:
            raise forms.ValidationError(
                ngettext(
                    "A post can be at most %(limit)d character long (this one has %(count)d).",
                    "A post can be at most %(limit)d characters long (this one has %(count)d).",
                    limit,
                )
                % {"limit": limit, "count": text_length(text)}
            )
        return text

    def clean_images(self) -> list[UploadedFile]:
        images: list[UploadedFile] = self.cleaned_data["images"]
        limit = settings.STATUS_MAX_MEDIA
        if len(images) > limit:
            raise forms.ValidationError(
                ngettext(
                    "A post can have at most %(limit)d image.",
                    "A post can have at most %(limit)d images.",
                    limit,
                )
                % {"limit": limit}
            )
        for image in images:
            if looks_like_video(image):
                limit = settings.MEDIA_MAX_VIDEO_BYTES
                if image.size is not None and image.size > limit:
                    raise forms.ValidationError(
                        _("“%(name)s” is too large: a video can be at most %(mb)d MB.")
                        % {"name": image.name, "mb": limit // (1024 * 1024)}
                    )
                continue
            if image.size is not None and image.size > settings.MEDIA_MAX_IMAGE_BYTES:
                raise forms.ValidationError(
                    _("“%(name)s” is too large: an image can be at most %(mb)d MB.")
                    % {"name": image.name, "mb": settings.MEDIA_MAX_IMAGE_BYTES // (1024 * 1024)}
                )
        return images

    def clean(self) -> dict:
        data = super().clean() or {}
        if (
            not self.errors
            and not data.get("text", "").strip()
            and not data.get("images")
            and not data.get("quote_of_id")
        ):
            raise forms.ValidationError(_("Write something or add an image first."))
        return data


class StatusEditForm(forms.Form):
    """Editing one's post on the web: the text and the content warning (its images and poll
    stay as they are); the fields and checks are the composer's."""

    text = ComposeForm.base_fields["text"]
    spoiler_text = ComposeForm.base_fields["spoiler_text"]
    sensitive = ComposeForm.base_fields["sensitive"]
    clean_text = ComposeForm.clean_text

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Your post")  # not the composer's "What's new?"


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=60, required=False)
    note = forms.CharField(
        label=_("Bio"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    header = forms.FileField(
        label=_("Header image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    locked = forms.BooleanField(
        label=_("Approve new followers by hand"),
        required=False,
        help_text=_("People then send you a follow request that you approve or reject."),
    )
    bot = forms.BooleanField(
        label=_("This is an automated account"),
        required=False,
        help_text=_("Shown on your profile, so people know posts are not written by hand."),
    )
    discoverable = forms.BooleanField(
        label=_("List me in discovery"),
        required=False,
        help_text=_("Your profile may be suggested to others and shown in the directory."),
    )
    hide_collections = forms.BooleanField(
        label=_("Hide whom you follow and who follows you"),
        required=False,
        help_text=_("Others still see how many; only you see the lists."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Times on Storefeed are shown in this zone."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = self.fields["time_zone"]
        assert isinstance(zones, forms.ChoiceField)
        zones.choices = [
            ("", _("Automatic (your browser’s)")),
            *((name, name.replace("_", " ")) for name in sorted(timezones.known_zones())),
        ]

    def clean_avatar(self) -> UploadedFile | None:
        return _limit_size(self.cleaned_data.get("avatar"))

    def clean_header(self) -> UploadedFile | None:
        return _limit_size(self.cleaned_data.get("header"))


def _limit_size(upload: UploadedFile | None) -> UploadedFile | None:
    if (
        upload is not None
        and upload.size is not None
        and upload.size > settings.MEDIA_MAX_IMAGE_BYTES
    ):
        raise forms.ValidationError(
            _("That image is too large: it can be at most %(mb)d MB.")
            % {"mb": settings.MEDIA_MAX_IMAGE_BYTES // (1024 * 1024)}
        )
    return upload


KEEP_APPS_LABEL = _("Keep my apps signed in")
KEEP_APPS_HELP = _(
    "Otherwise every app using your account (phone apps, tools) must sign in again. Other "
    "browsers are signed out either way."
)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    keep_apps = forms.BooleanField(label=KEEP_APPS_LABEL, help_text=KEEP_APPS_HELP, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if (
            data.get("new_password")
            and data.get("new_password2")
            and data["new_password"] != data["new_password2"]
        ):
            self.add_error("new_password2", _("The two new passwords do not match."))
        return data


class SearchForm(forms.Form):
    """The search page's query string: what to look for, which tab, the product filters.
    Amounts are checked by the catalog's own parser (catalog.search.product_filters)."""

    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Search posts, products and people")}),
    )
    tab = forms.ChoiceField(
        choices=[
            ("posts", "posts"),
            ("products", "products"),
            ("people", "people"),
            ("tags", "tags"),
        ],
        required=False,
    )
    min_price = forms.CharField(label=_("Lowest price"), max_length=20, required=False)
    max_price = forms.CharField(label=_("Highest price"), max_length=20, required=False)
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    field = forms.SlugField(label=_("Field"), max_length=50, required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("relevance", _("Best match")),
            ("newest", _("Newest")),
            ("price_asc", _("Price, low to high")),
            ("price_desc", _("Price, high to low")),
            ("best_selling", _("Best selling")),
        ],
        required=False,
    )
    offset = forms.IntegerField(min_value=0, max_value=10_000, required=False)


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PasswordResetForm(SetPasswordForm):
    """The new password, twice (Django's checks), and whether the apps stay signed in."""

    keep_apps = forms.BooleanField(label=KEEP_APPS_LABEL, help_text=KEEP_APPS_HELP, required=False)
