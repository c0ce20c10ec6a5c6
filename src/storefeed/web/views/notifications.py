"""The notifications page and marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storefeed.notifications import selectors as notification_selectors
from storefeed.notifications import services as notification_services
from storefeed.web.views.helpers import AuthedRequest, cursor, next_cursor

NOTIFICATIONS_PAGE = 30


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    items = notification_selectors.notifications_for(
        account=request.user, max_id=cursor(request), limit=NOTIFICATIONS_PAGE
    )
    if items and any(not n.read for n in items):
        # Seen is read: the badge clears; this page still marks which ones were new.
        notification_services.notifications_mark_read_up_to(
            account=request.user, newest_id=items[0].pk
        )
    return render(
        request,
        "web/notifications.html",
        {
            "notifications": items,
            "next_max_id": next_cursor(items, NOTIFICATIONS_PAGE),
            "tab": "notifications",
        },
    )


@login_required
@require_POST
def notifications_read(request: AuthedRequest) -> HttpResponse:
    notification_services.notifications_mark_all_read(account=request.user)
    messages.success(request, _("All notifications marked as read."))
    return redirect("web:notifications")
