"""Built-in detectors. Subpackages mirror the ``rules/`` families; importing
:func:`load_builtin` registers them all."""

from __future__ import annotations


def load_builtin() -> None:
    """Import every built-in detector module (they register themselves)."""
    from shipcheck.detectors.registry import import_modules

    import_modules("shipcheck.detectors")
