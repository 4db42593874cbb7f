"""The reporter interface: a report in, text out."""

from __future__ import annotations

from abc import ABC, abstractmethod

from shipcheck.report import Report


class Reporter(ABC):
    """Renders a :class:`~shipcheck.report.Report` as one output format."""

    name: str = ""

    @abstractmethod
    def render(self, report: Report) -> str:
        """The whole output as text."""
