"""Demo data: a believable small network built through the services."""
