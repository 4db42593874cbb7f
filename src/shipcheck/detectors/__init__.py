"""Built-in detectors. Subpackages mirror the ``rules/`` families; importing
:func:`load_builtin` registers them all."""

from __future__ import annotations


def load_builtin() -> list[str]:
    """Import every built-in detector module (they register themselves); their names."""
    from shipcheck.detectors.registry import import_modules

    return import_modules("shipcheck.detectors")
