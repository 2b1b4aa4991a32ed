"""Availability computed from state intervals."""
