"""Detectors for the compose rule family."""
