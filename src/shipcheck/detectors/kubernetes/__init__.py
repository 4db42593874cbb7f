"""Detectors for the kubernetes rule family."""
