"""The one place the web pages turn a refused request (a core.errors.DomainError) into
something a person sees: a message on the form field it names, or a page message."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from storefeed.core.errors import DomainError

# Services name their parameters; a few web forms call the same input something else.
FIELD_ALIASES = {
    "media_ids": "images",
    "media": "images",
    "file": "images",
    "password": "new_password",
}


def show_error(request: HttpRequest, error: DomainError, form: forms.Form | None = None) -> None:
    """Attach `error` to `form` (to the field it names when the form has it), else to the
    page's messages."""
    if form is None:
        messages.error(request, error.message)
        return
    field = FIELD_ALIASES.get(error.field or "", error.field)
    # Errors about hidden inputs (the post replied to, say) go on top of the form.
    shown = field in form.fields and not form.fields[field].widget.is_hidden
    form.add_error(field if shown else None, error.message)
