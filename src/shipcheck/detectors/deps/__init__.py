"""Detectors for the deps rule family."""
