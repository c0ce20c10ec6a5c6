"""The web pages' URL map (mounted at "/")."""

from django.urls import path, re_path

from storefeed.web.views import (
    accounts,
    app,
    auth,
    discovery,
    feeds,
    notifications,
    safety,
    search,
    settings,
    statuses,
)

USERNAME = r"(?P<username>[A-Za-z0-9_]{1,30})"

app_name = "web"
urlpatterns = [
    path("", feeds.home, name="home"),
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("favicon.ico", app.favicon, name="favicon"),
    path("public", feeds.public, name="public"),
    path("tags/<str:name>", feeds.tag, name="tag"),
    path("bookmarks", feeds.bookmarks, name="bookmarks"),
    path("compose", statuses.compose, name="compose"),
    path("statuses/<int:status_id>", statuses.status_redirect, name="status_redirect"),
    path("statuses/<int:status_id>/edit", statuses.status_edit, name="status_edit"),
    path("statuses/<int:status_id>/vote", statuses.poll_vote, name="poll_vote"),
    path("statuses/<int:status_id>/report", safety.report, name="status_report"),
    path("statuses/<int:status_id>/<slug:action>", statuses.status_action, name="status_action"),
    path("notifications", notifications.notifications, name="notifications"),
    path("notifications/read", notifications.notifications_read, name="notifications_read"),
    path("search", search.search, name="search"),
    path("me", accounts.me, name="me"),
    path("discover", discovery.discover, name="discover"),
    path("hot", discovery.hot, name="hot"),
    path("hot/hide", discovery.hot_hide, name="hot_hide"),
    path("experts", discovery.experts_index, name="experts"),
    re_path(
        r"^experts/(?P<slug>[-A-Za-z0-9_]{1,50})$", discovery.experts_field, name="experts_field"
    ),
    path("suggestions", discovery.suggestions, name="suggestions"),
    re_path(
        rf"^suggestions/{USERNAME}/dismiss$",
        discovery.suggestion_dismiss,
        name="suggestion_dismiss",
    ),
    path("follow_requests", accounts.follow_requests, name="follow_requests"),
    re_path(
        rf"^follow_requests/{USERNAME}/(?P<action>authorize|reject)$",
        accounts.follow_request_action,
        name="follow_request_action",
    ),
    path("settings", settings.settings_profile, name="settings_profile"),
    path("settings/password", settings.settings_password, name="settings_password"),
    path("settings/interests", discovery.interests, name="interests"),
    path("settings/filters", safety.settings_filters, name="settings_filters"),
    path(
        "settings/filters/<int:filter_id>/delete",
        safety.settings_filter_delete,
        name="settings_filter_delete",
    ),
    path("staff/reports", safety.staff_reports, name="staff_reports"),
    path("staff/reports/<str:report_id>", safety.staff_report, name="staff_report"),
    path("signup", auth.signup, name="signup"),
    path("login", auth.SignInView.as_view(), name="login"),
    path("password/reset", auth.password_reset, name="password_reset"),
    path(
        "password/reset/<uidb64>/<token>",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("logout", auth.SignOutView.as_view(), name="logout"),
    path("auth/confirm", auth.confirm_pending, name="confirm_pending"),
    path("auth/confirm/resend", auth.confirm_resend, name="confirm_resend"),
    path("auth/confirm/<str:token>", auth.confirm_email, name="confirm_email"),
    re_path(rf"^@{USERNAME}$", accounts.profile, name="profile"),
    re_path(rf"^@{USERNAME}/followers$", accounts.followers, name="followers"),
    re_path(rf"^@{USERNAME}/report$", safety.report, name="account_report"),
    re_path(rf"^@{USERNAME}/following$", accounts.following, name="following"),
    re_path(
        rf"^@{USERNAME}/(?P<action>follow|unfollow|notify|unnotify|block|unblock|mute|unmute)$",
        accounts.account_action,
        name="account_action",
    ),
    re_path(rf"^@{USERNAME}/(?P<status_id>[0-9]{{1,19}})$", statuses.status_detail, name="status"),
]
