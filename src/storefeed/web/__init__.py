"""HTML pages for people: views, forms, templates, static files."""
