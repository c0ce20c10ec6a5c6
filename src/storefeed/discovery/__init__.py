"""Discovery: experts by field, the profile directory, who to follow, and the hot list."""
