"""shipcheck: a deployment-readiness audit for Python web applications."""

__version__ = "0.1.0"
