"""Detectors for the ops rule family (observability and operations)."""
