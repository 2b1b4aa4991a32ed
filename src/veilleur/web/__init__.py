"""The JSON API under /api/v1 and the French pages."""
