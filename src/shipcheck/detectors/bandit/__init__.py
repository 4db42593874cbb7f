"""Detectors for the BAN rule family: bandit's tests, run in-process (``shipcheck[bandit]``)."""
