"""Events the accounts package sends inside the writing transaction.

`account_unlocked` is sent with keyword argument `account_id` when a locked account turns
unlocked; the social package answers it by approving the pending follow requests (as Mastodon
does), in the same transaction.
"""

from django.dispatch import Signal

account_unlocked = Signal()
