"""Notifications: follow, follow request, mention, reply, repost, like, new post."""
