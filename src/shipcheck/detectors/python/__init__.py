"""Detectors for the python rule family."""
