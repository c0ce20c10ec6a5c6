"""Background tasks of the wallet: thin, idempotent wrappers around the services."""

from django.tasks import task

from storefeed.wallet import idempotency, services


@task()
def purge_expired_keys() -> None:
    idempotency.idempotency_keys_purge()
    services.provider_nonces_purge()
