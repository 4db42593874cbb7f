"""Container image references (``registry:5000/team/app:1.2@sha256:…``), as written in
Kubernetes manifests and Compose files."""

from __future__ import annotations

from dataclasses import dataclass

from shipcheck import lazyre

# Interpolation left for another tool ($VAR, ${VAR}, $(VAR), {{ .Values }}): not judged.
_VARIABLE = lazyre.compile(r"\$\{|\$\(|\$[A-Za-z_]|\{\{")
_DIGEST = lazyre.compile(r"@[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")


@dataclass(frozen=True)
class ImageRef:
    """An image reference split into repository, tag and digest."""

    raw: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def basename(self) -> str:
        """The last path segment of the repository (``app`` for ``ghcr.io/acme/app``)."""
        return self.repository.rsplit("/", 1)[-1]


def parse_image(raw: str) -> ImageRef | None:
    """Split a reference; None when it is empty or holds template variables."""
    text = raw.strip()
    if not text or _VARIABLE.search(text) or any(c.isspace() for c in text):
        return None
    digest = None
    match = _DIGEST.search(text)
    if match:
        digest = match.group(0)[1:]
        text = text[: match.start()]
    elif "@" in text:
        return None
    # A colon in the last path segment separates the tag; one before it is a registry port.
    head, _, last = text.rpartition("/")
    tag = None
    if ":" in last:
        last, tag = last.split(":", 1)
    repository = f"{head}/{last}" if head else last
    if not repository:
        return None
    return ImageRef(raw=raw.strip(), repository=repository, tag=tag or None, digest=digest)


def pin_problem(raw: str, mutable_tags: tuple[str, ...] = ("latest",)) -> str | None:
    """Why ``raw`` is not an immutable reference (``untagged``, ``tag `latest```), or None
    when it is pinned, or when it cannot be judged (templated)."""
    ref = parse_image(raw)
    if ref is None or ref.digest:
        return None
    if ref.tag is None:
        return "untagged (pulls `latest`)"
    if ref.tag.lower() in {t.lower() for t in mutable_tags}:
        return f"tagged `{ref.tag}`, which moves"
    return None
