"""The commerce JSON API at /api/shop/v1/ (django-ninja; OpenAPI at /api/docs)."""
