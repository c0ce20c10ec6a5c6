"""Events the posts package sends inside the writing transaction (see social/signals.py).

Sent with keyword argument `status_id`; `status_deleted` also with `account_id`.
"""

from django.dispatch import Signal

status_created = Signal()
status_deleted = Signal()
