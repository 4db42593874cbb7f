"""Detectors for the dockerfile rule family."""
