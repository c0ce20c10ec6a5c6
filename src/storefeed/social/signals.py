"""Events the social graph sends inside the writing transaction.

Receivers (the timelines package) enqueue their work as tasks in the same transaction, so the
work is committed with the change or not at all. Every signal is sent with keyword arguments
`account_id` (who acted) and `target_id` (whom it was about).
"""

from django.dispatch import Signal

follow_created = Signal()  # account_id now follows target_id
follow_deleted = Signal()  # account_id no longer follows target_id
block_created = Signal()  # account_id blocked target_id (follows both ways are already gone)
mute_created = Signal()  # account_id muted target_id
mute_deleted = Signal()  # account_id's mute of target_id ended (unmuted, or it expired)
