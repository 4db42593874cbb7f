"""The command the image runs: the effective ``ENTRYPOINT`` and ``CMD`` of the final stage.

Docker semantics: the last ``ENTRYPOINT``/``CMD`` of the stage chain win; setting
``ENTRYPOINT`` drops a ``CMD`` inherited from an earlier stage; a shell-form
``ENTRYPOINT`` ignores ``CMD`` altogether; a shell-form ``CMD`` after an exec-form
``ENTRYPOINT`` is appended as ``/bin/sh -c "<cmd>"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from shipcheck.detectors.dockerfile.shell import SimpleCommand, unwrap
from shipcheck.detectors.dockerfile.stages import lineage
from shipcheck.detectors.dockerfile.syntax import exec_form
from shipcheck.models.artifacts import Dockerfile, Instruction, Stage


@dataclass(frozen=True)
class ImageCommand:
    """The final image's ``ENTRYPOINT`` and ``CMD`` (either may be None: inherited from the
    base image, which shipcheck cannot see)."""

    entrypoint: Instruction | None
    cmd: Instruction | None

    @property
    def instructions(self) -> list[Instruction]:
        """The instructions that make up the command, ENTRYPOINT first."""
        return [i for i in (self.entrypoint, self.cmd) if i is not None]

    @property
    def cmd_ignored(self) -> bool:
        """A shell-form ENTRYPOINT never passes CMD on."""
        return (
            self.entrypoint is not None
            and self.cmd is not None
            and exec_form(self.entrypoint.value) is None
        )

    def argv(self) -> list[str] | None:
        """The command line as an argument list (shell forms become ``/bin/sh -c``)."""
        parts: list[str] = []
        if self.entrypoint is not None:
            parts = _as_argv(self.entrypoint)
            if exec_form(self.entrypoint.value) is None:
                return parts
        if self.cmd is not None:
            parts += _as_argv(self.cmd)
        return parts or None

    def commands(self) -> list[SimpleCommand]:
        """The simple commands the container starts."""
        argv = self.argv()
        return unwrap(argv) if argv else []

    def owner(self, token: str) -> Instruction | None:
        """The instruction whose text holds ``token`` (CMD preferred), for locations."""
        for instruction in reversed(self.instructions):
            if token in instruction.value:
                return instruction
        return self.instructions[-1] if self.instructions else None


def _as_argv(instruction: Instruction) -> list[str]:
    argv = exec_form(instruction.value)
    return argv if argv is not None else ["/bin/sh", "-c", instruction.value]


def image_command(doc: Dockerfile, stage: Stage | None = None) -> ImageCommand:
    """The effective ENTRYPOINT and CMD of the image built to ``stage`` (default: the last
    stage; rules pass each of ``stages.targets(doc)``)."""
    entrypoint: Instruction | None = None
    cmd: Instruction | None = None
    final = stage or doc.final_stage
    for stage in reversed(lineage(doc, final)) if final is not None else []:
        own = [i for i in stage.instructions if i.keyword in ("ENTRYPOINT", "CMD")]
        entrypoints = [i for i in own if i.keyword == "ENTRYPOINT"]
        cmds = [i for i in own if i.keyword == "CMD"]
        if entrypoints:
            entrypoint, cmd = entrypoints[-1], None
        if cmds:
            cmd = cmds[-1]
    return ImageCommand(entrypoint, cmd)
