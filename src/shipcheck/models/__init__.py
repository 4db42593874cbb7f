"""Typed values that flow through the scan: artifacts, facts, findings."""
