"""Statuses and what hangs on them: media, reposts, replies, likes, bookmarks, pins, polls, tags."""
