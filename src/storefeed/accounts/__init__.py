"""Users, profiles, experts and their fields."""
