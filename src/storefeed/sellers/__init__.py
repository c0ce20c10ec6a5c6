"""The seller program: applications, review, suspension (commerce)."""
