"""``PYTHONUNBUFFERED`` in Python images (container.unbuffered)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from shipcheck import lazyre
from shipcheck.detectors.dockerfile.command import image_command
from shipcheck.detectors.dockerfile.pip import pip_call
from shipcheck.detectors.dockerfile.servers import WEB_SERVERS, program
from shipcheck.detectors.dockerfile.stages import (
    base_image,
    environment,
    image_instructions,
    label,
    targets,
)
from shipcheck.detectors.dockerfile.syntax import locate, run_commands
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Dockerfile, Kind, Stage
from shipcheck.models.findings import Hit

_PYTHON = lazyre.compile(r"^(python|pypy)(\d+(\.\d+)?)?$")


@dataclass(frozen=True)
class UnbufferedParams:
    """``python_programs``: commands that mean the container runs Python."""

    python_programs: tuple[str, ...] = ("celery", "dramatiq", "rq", "huey_consumer", "arq")


def runs_python(doc: Dockerfile, params: UnbufferedParams, stage: Stage | None = None) -> bool:
    """The image built to ``stage`` (default: the last) is a Python image: a Python base,
    Python in its command, or pip used while building it."""
    final = stage or doc.final_stage
    if final is None:
        return False
    if "python" in base_image(doc, final).name:
        return True
    for command in image_command(doc, final).commands():
        prog = program(command)
        if _PYTHON.match(command.name) or (
            prog is not None and prog.name in WEB_SERVERS | set(params.python_programs)
        ):
            return True
    return any(
        pip_call(command) is not None
        for instruction in image_instructions(doc, final)
        if instruction.keyword == "RUN"
        for command in run_commands(instruction)
    )


def _unbuffered_flag(doc: Dockerfile, stage: Stage) -> bool:
    for command in image_command(doc, stage).commands():
        if command.env.get("PYTHONUNBUFFERED"):
            return True
        if _PYTHON.match(command.name):
            for arg in command.argv[1:]:
                if not arg.startswith("-") or arg == "-m":
                    break
                if arg != "--" and not arg.startswith("--") and "u" in arg[1:]:
                    return True
    return False


@detector("dockerfile.python-unbuffered", kind=Kind.DOCKERFILE, params=UnbufferedParams)
def python_unbuffered(doc: Dockerfile, params: UnbufferedParams) -> Iterator[Hit]:
    """A Python final image that does not set ``PYTHONUNBUFFERED`` (ENV, or ``python -u`` in
    its command): stdout is block-buffered when it is not a terminal. Judged on each stage
    the image is built to."""
    for final in targets(doc):
        yield from _unbuffered(doc, final, params)


def _unbuffered(doc: Dockerfile, final: Stage, params: UnbufferedParams) -> Iterator[Hit]:
    if not runs_python(doc, params, final):
        return
    value = environment(doc, final).get("PYTHONUNBUFFERED")
    if value is not None and value[0].strip():
        return
    if _unbuffered_flag(doc, final):
        return
    span = locate(doc, final.instruction, final.raw_image, after=4) if final.instruction else None
    yield Hit(
        line=final.line,
        column=span.column if span else 1,
        end_column=span.end_column if span else None,
        fields={"stage": label(final, doc), "image": final.raw_image},
    )
