"""Detectors for the config rule family (debug mode, framework hardening)."""
