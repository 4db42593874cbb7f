"""Detectors for the project rule family."""
