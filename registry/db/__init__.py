"""Database engines of our own: Django's, plus a hook the search layer needs."""
