"""Background tasks of accounts: thin, idempotent wrappers around the services."""

from django.tasks import task

from storefeed.accounts import services


@task()
def send_password_reset_email(account_id: int, site_url: str = "") -> None:
    """Email a password reset link (a run twice sends two links; each works once)."""
    services.password_reset_send(account_id=account_id, site_url=site_url)


@task()
def send_confirmation_email(account_id: int, requested_at: str, site_url: str = "") -> None:
    """Email the confirmation link asked for at `requested_at`; a second run sends nothing."""
    services.email_confirmation_send(
        account_id=account_id, requested_at=requested_at, site_url=site_url
    )
