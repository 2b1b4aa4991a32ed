"""Incidents: opened by a check going DOWN, resolved by it coming back UP."""
