"""The image's command: shell form (container.exec-form) and development servers
(server.production)."""

from __future__ import annotations

from collections.abc import Iterator

from shipcheck.detectors.dockerfile.command import image_command
from shipcheck.detectors.dockerfile.servers import dev_servers
from shipcheck.detectors.dockerfile.stages import base_image, label, targets
from shipcheck.detectors.dockerfile.syntax import exec_form, find, keyword_span, short
from shipcheck.detectors.registry import detector
from shipcheck.models.artifacts import Dockerfile, Kind, Stage
from shipcheck.models.findings import Hit


@detector("dockerfile.shell-form-command", kind=Kind.DOCKERFILE)
def shell_form_command(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """The final image's effective CMD or ENTRYPOINT is in shell form, so ``/bin/sh -c`` is
    PID 1 and the app never receives SIGTERM. ``CMD exec …`` passes: the shell replaces
    itself with the app. Overridden CMDs of earlier stages do not matter. Judged on each
    stage the image is built to (Compose ``build.target``, CI ``--target``, else the last)."""
    seen: set[int] = set()
    for final in targets(doc):
        yield from _shell_form(doc, final, seen)


def _shell_form(doc: Dockerfile, final: Stage, seen: set[int]) -> Iterator[Hit]:
    command = image_command(doc, final)
    image = base_image(doc, final)
    for instruction in command.instructions:
        if instruction.line in seen:
            continue
        seen.add(instruction.line)
        if instruction is command.cmd and command.cmd_ignored:
            continue
        if exec_form(instruction.value) is not None:
            continue
        if instruction.value.strip().startswith("exec "):
            continue
        consequence = "`/bin/sh -c` runs as PID 1 and does not pass SIGTERM on"
        if image.is_scratch or image.is_distroless:
            consequence = f"`{image.raw}` has no `/bin/sh`, so the container cannot start"
        elif instruction is command.entrypoint and command.cmd is not None:
            consequence += ", and the CMD is ignored"
        span = keyword_span(doc, instruction)
        yield Hit(
            line=instruction.line,
            column=span.column,
            end_column=span.end_column,
            fields={
                "stage": label(final, doc),
                "instruction": short(instruction),
                "keyword": instruction.keyword,
                "consequence": consequence,
            },
        )


@detector("dockerfile.dev-server", kind=Kind.DOCKERFILE)
def dev_server_command(doc: Dockerfile, params: None) -> Iterator[Hit]:
    """The final image's command starts a development server: ``flask run``,
    ``manage.py runserver``, ``uvicorn``/``gunicorn --reload``, ``fastapi dev``,
    ``python -m http.server``, read as Docker does (``ENTRYPOINT ["python3"]`` +
    ``CMD ["manage.py", "runserver"]``), on each stage the image is built to."""
    seen: set[int] = set()
    for final in targets(doc):
        yield from _dev_server(doc, final, seen)


def _dev_server(doc: Dockerfile, final: Stage, seen: set[int]) -> Iterator[Hit]:
    command = image_command(doc, final)
    for server in dev_servers(command.commands()):
        instruction = command.owner(server.token)
        if instruction is None or instruction.line in seen:
            continue
        seen.add(instruction.line)
        span = find(doc, instruction, server.token) or keyword_span(doc, instruction)
        yield Hit(
            line=span.line,
            column=span.column,
            end_column=span.end_column,
            fields={
                "stage": label(final, doc),
                "keyword": instruction.keyword,
                "server": server.label,
            },
            context=f"dev-server {server.label}",
        )
        return
