"""Reading CI files: GitHub Actions steps and GitLab CI scripts as (line, command) pairs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shipcheck.models.artifacts import Kind, WorkflowFile


def github_triggers(doc: WorkflowFile) -> set[str]:
    """Event names of a workflow's ``on:`` (YAML 1.1 reads a bare ``on`` as True)."""
    first = doc.documents[0] if doc.documents else {}
    on: Any = first.get("on", first.get(True)) if isinstance(first, dict) else None
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return {str(e) for e in on}
    if isinstance(on, dict):
        return {str(k) for k in on}
    return set()


def run_lines(doc: WorkflowFile) -> Iterator[tuple[str, int, str]]:
    """(job name, line, shell command line) for every shell line in the file."""
    for job_name, job in (doc.jobs or {}).items():
        if not isinstance(job, dict):
            continue
        if doc.kind is Kind.GITHUB_ACTIONS:
            for step in job.get("steps") or []:
                if isinstance(step, dict) and isinstance(step.get("run"), str):
                    yield from _split(job_name, step, "run")
        else:
            for key in ("before_script", "script", "after_script"):
                value = job.get(key)
                if isinstance(value, str):
                    yield from _split(job_name, job, key)
                elif isinstance(value, list):
                    for index, item in enumerate(value):
                        if isinstance(item, str):
                            for offset, text in enumerate(item.splitlines()):
                                yield job_name, value.item_line(index) + offset, text


def _split(job_name: str, holder: Any, key: str) -> Iterator[tuple[str, int, str]]:
    text = holder[key]
    start = holder.value_line(key)
    raw_line = holder.key_line(key)
    # A block scalar (run: |) starts on the line after the key.
    block = start == raw_line and "\n" in text
    for offset, line in enumerate(text.splitlines()):
        yield job_name, start + offset + (1 if block else 0), line


def steps(doc: WorkflowFile) -> Iterator[tuple[str, Any]]:
    """(job name, step mapping) for GitHub Actions workflows."""
    for job_name, job in (doc.jobs or {}).items():
        if isinstance(job, dict):
            for step in job.get("steps") or []:
                if isinstance(step, dict):
                    yield job_name, step
