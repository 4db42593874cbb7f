"""Detectors for the workflows rule family."""
