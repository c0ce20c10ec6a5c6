"""What the server says about itself: rules, the extended description, announcements, and
the weekly activity figures."""
