"""The metadata API under /api/v1/."""
