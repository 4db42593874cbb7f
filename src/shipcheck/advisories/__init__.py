"""Known vulnerabilities of pinned PyPI packages, from OSV-format advisories.

Two sources: :class:`LocalDatabase` (OSV JSON records on disk, used offline and in tests)
and :class:`OsvService` (the OSV API, https://api.osv.dev). See docs/vulnerabilities.md.
"""

from __future__ import annotations

from shipcheck.advisories.osv import (
    Advisory,
    Assessment,
    OsvRecord,
    Vulnerability,
    range_affects,
    vulnerabilities,
)
from shipcheck.advisories.sources import (
    DEFAULT_OSV_URL,
    AdvisoryError,
    AdvisorySource,
    LocalDatabase,
    OsvService,
    ServiceUnreachable,
    Transport,
    UrllibTransport,
)

__all__ = [
    "DEFAULT_OSV_URL",
    "Advisory",
    "AdvisoryError",
    "AdvisorySource",
    "Assessment",
    "LocalDatabase",
    "OsvRecord",
    "OsvService",
    "ServiceUnreachable",
    "Transport",
    "UrllibTransport",
    "Vulnerability",
    "range_affects",
    "vulnerabilities",
]
