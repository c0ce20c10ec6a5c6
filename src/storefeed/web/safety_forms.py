"""Web forms for what a reader asks not to see (filters) and for reports to the staff."""

from django import forms
from django.utils.translation import gettext_lazy as _

from storefeed.filters.models import FilterAction, FilterContext
from storefeed.filters.services import KEYWORD_MAX, TITLE_MAX
from storefeed.moderation.models import ReportCategory
from storefeed.moderation.services import COMMENT_MAX, NOTE_MAX

# How long a new filter lasts (seconds; "" for ever), as Mastodon's settings offer.
EXPIRY_CHOICES = [
    ("", _("Never")),
    ("1800", _("30 minutes")),
    ("3600", _("1 hour")),
    ("21600", _("6 hours")),
    ("43200", _("12 hours")),
    ("86400", _("1 day")),
    ("604800", _("1 week")),
]


class FilterForm(forms.Form):
    keyword = forms.CharField(
        label=_("Keyword or phrase"),
        max_length=KEYWORD_MAX,
        help_text=_("Posts that contain it are hidden or marked, as you choose below."),
    )
    title = forms.CharField(
        label=_("Name"),
        max_length=TITLE_MAX,
        required=False,
        help_text=_("Shown on the posts it hides; the keyword if left empty."),
    )
    whole_word = forms.BooleanField(label=_("Whole word only"), required=False, initial=True)
    context = forms.MultipleChoiceField(
        label=_("Where"),
        choices=FilterContext.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[FilterContext.HOME, FilterContext.PUBLIC],
        error_messages={"required": _("Choose at least one place to filter.")},
    )
    action = forms.ChoiceField(
        label=_("What to do"), choices=FilterAction.choices, initial=FilterAction.WARN
    )
    expires_in = forms.ChoiceField(label=_("For how long"), choices=EXPIRY_CHOICES, required=False)


class ReportForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=ReportCategory.choices,
        initial=ReportCategory.OTHER,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything the staff should know"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReportNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
