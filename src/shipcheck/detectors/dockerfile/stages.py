"""Multi-stage semantics: which stages end up in the image, what the image inherits.

Only the final stage becomes the image, and it carries everything of the stages it is
built ``FROM`` (``FROM base AS runtime``); other stages are build scaffolding whose
layers are not shipped.
"""

from __future__ import annotations

from shipcheck.buildcontexts import targets_of
from shipcheck.detectors.dockerfile.syntax import ImageRef, pairs, parse_image
from shipcheck.models.artifacts import Dockerfile, Instruction, Stage


def lineage(doc: Dockerfile, stage: Stage) -> list[Stage]:
    """``stage`` and the stages it is built from, nearest first."""
    by_name = {s.name.lower(): s for s in doc.stages if s.name}
    chain: list[Stage] = []
    current: Stage | None = stage
    while current is not None and current not in chain:
        chain.append(current)
        parent = current.parent_stage
        candidate = by_name.get(parent.lower()) if parent else None
        current = candidate if candidate is not None and candidate.index < current.index else None
    return chain


def targets(doc: Dockerfile) -> list[Stage]:
    """The stages the image is built to: what Compose ``build.target`` or CI ``--target``
    name (shipcheck.buildcontexts), else the last stage. An unknown target name falls back
    to the last stage, as nothing else can be told."""
    by_name = {s.name.lower(): s for s in doc.stages if s.name}
    chosen: list[Stage] = []
    for name in targets_of(doc.path):
        stage = by_name.get(name.lower()) if name else None
        stage = stage or doc.final_stage
        if stage is not None and stage not in chosen:
            chosen.append(stage)
    return chosen


def shipped(doc: Dockerfile) -> list[Stage]:
    """Stages whose layers are in the images built: each target stage and its ancestors."""
    found: list[Stage] = []
    for target in targets(doc):
        found.extend(s for s in reversed(lineage(doc, target)) if s not in found)
    return found


def base_image(doc: Dockerfile, stage: Stage) -> ImageRef:
    """The external image a stage ultimately starts from (through ``FROM <stage>``)."""
    return parse_image(lineage(doc, stage)[-1].image)


def image_instructions(doc: Dockerfile, stage: Stage | None = None) -> list[Instruction]:
    """Instructions that shape ``stage`` (default: the final image), oldest first."""
    stage = stage or doc.final_stage
    if stage is None:
        return []
    return [i for s in reversed(lineage(doc, stage)) for i in s.instructions]


def last(doc: Dockerfile, keyword: str, stage: Stage | None = None) -> Instruction | None:
    """The instruction that decides ``keyword`` (CMD, ENTRYPOINT, USER, HEALTHCHECK…)."""
    found = [i for i in image_instructions(doc, stage) if i.keyword == keyword]
    return found[-1] if found else None


def environment(doc: Dockerfile, stage: Stage | None = None) -> dict[str, tuple[str, Instruction]]:
    """``ENV`` variables the image sets, with the instruction that set each last."""
    env: dict[str, tuple[str, Instruction]] = {}
    for instruction in image_instructions(doc, stage):
        if instruction.keyword == "ENV":
            for pair in pairs(instruction, doc.escape):
                env[pair.key] = (pair.value, instruction)
    return env


def build_variables(doc: Dockerfile, stage: Stage, before: Instruction) -> dict[str, str]:
    """``ENV`` and ``ARG`` values visible to a ``RUN`` (``before``) while building ``stage``."""
    variables: dict[str, str] = {}
    for instruction in image_instructions(doc, stage):
        if instruction is before:
            break
        if instruction.keyword in ("ENV", "ARG"):
            for pair in pairs(instruction, doc.escape):
                if pair.has_value:
                    variables[pair.key] = pair.value
                elif instruction.keyword == "ARG" and doc.global_args.get(pair.key):
                    # `ARG NAME` inside a stage takes the default declared before FROM.
                    variables[pair.key] = doc.global_args[pair.key]
    return variables


def label(stage: Stage, doc: Dockerfile) -> str:
    """How messages name a stage: its name, else its position and image."""
    if stage.name:
        return stage.name
    if len(doc.stages) == 1:
        return stage.raw_image
    return f"#{stage.index + 1} ({stage.raw_image})"
