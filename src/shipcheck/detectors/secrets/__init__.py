"""Detectors for the secrets rule family."""
