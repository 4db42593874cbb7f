"""Rule documentation generated from the catalogue: ``docs/rules.md`` and ``explain``.

Regenerate the docs with ``python -m shipcheck.ruledocs > docs/rules.md``; a test fails
when the file is stale.
"""

from __future__ import annotations

from collections.abc import Iterable

from shipcheck.catalogue import Rule
from shipcheck.checklist import Checklist, load_checklist

FIX_LABELS = {
    "safe": "`shipcheck fix`",
    "unsafe": "`shipcheck fix --unsafe-fixes` (changes behaviour)",
    "none": "none",
}


def fix_text(rule: Rule) -> str:
    """How `shipcheck fix` treats the rule, with what its fix does."""
    label = FIX_LABELS.get(rule.fix, rule.fix)
    if rule.fix == "none":
        return label
    from shipcheck.fixes import registry

    fixer = registry.get(rule.id)
    return f"{label}: {fixer.description}" if fixer is not None else label


def explain_text(rule: Rule) -> str:
    """Everything about one rule, as Markdown-flavoured plain text."""
    refs = "\n".join(f"  - {r}" for r in rule.references)
    return (
        f"{rule.id} {rule.name} ({rule.severity.value})\n"
        f"checklist: {rule.checklist} · area: {rule.area} · detector: {rule.detector}"
        f"{'' if rule.default else ' · off by default'}\n\n"
        f"{rule.summary}\n\n"
        f"Why: {rule.rationale}\n\n"
        f"Fix: {rule.remediation}\n\n"
        f"Automatic fix: {fix_text(rule)}\n\n"
        f"Bad:\n{_indent(rule.example_bad)}\n\n"
        f"Good:\n{_indent(rule.example_good)}\n\n"
        f"References:\n{refs}\n"
        f"\nSuppress one finding: # shipcheck: ignore[{rule.id}] <reason>\n"
        f"{_engine_note(rule)}"
    )


def _engine_note(rule: Rule) -> str:
    from shipcheck.banditpack import DETECTOR, INSTALL_HINT

    if rule.detector != DETECTOR:
        return ""
    test = rule.params.get("test", "")
    return (
        f"or with bandit's own comment: # nosec {test}\n"
        f"\nRuns bandit's {test} in-process: {INSTALL_HINT}, then --extend-select {rule.id}\n"
    )


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def rule_markdown(rule: Rule) -> str:
    """One rule's section (also SARIF ``help.markdown``)."""
    refs = ", ".join(f"[{r}]({r})" if r.startswith("http") else r for r in rule.references)
    automatic = f"**Automatic fix:** {fix_text(rule)}\n\n" if rule.fix != "none" else ""
    return (
        f"{rule.summary}\n\n"
        f"**Why:** {rule.rationale}\n\n"
        f"**Fix:** {rule.remediation}\n\n"
        f"{automatic}"
        f"Bad:\n\n```\n{rule.example_bad.rstrip()}\n```\n\n"
        f"Good:\n\n```\n{rule.example_good.rstrip()}\n```\n\n"
        f"References: {refs}\n"
    )


def rules_markdown(rules: Iterable[Rule], checklist: Checklist | None = None) -> str:
    """The whole rule reference, grouped by checklist area."""
    checklist = checklist or load_checklist()
    rules = sorted(rules, key=lambda r: r.id)
    out = [
        "# shipcheck rules",
        "",
        "Generated from the catalogue in `rules/` by `python -m shipcheck.ruledocs`;"
        " do not edit by hand.",
        "",
        "| ID | Name | Severity | Checklist item | Default | Fix |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        out.append(
            f"| [{rule.id}](#{rule.id.lower()}-{rule.name}) | {rule.name} | {rule.severity.value}"
            f" | `{rule.checklist}` | {'on' if rule.default else 'off'} | {rule.fix} |"
        )
    for area, title in checklist.areas.items():
        members = [r for r in rules if r.area == area]
        if not members:
            continue
        out += ["", f"## {title}", ""]
        for rule in members:
            out += [
                f"### {rule.id} {rule.name}",
                "",
                f"Severity **{rule.severity.value}** · checklist `{rule.checklist}`"
                f" · detector `{rule.detector}`",
                "",
                rule_markdown(rule).rstrip(),
                "",
            ]
    return "\n".join(out).rstrip() + "\n"


def reference_markdown() -> str:
    """docs/rules.md: the built-in rules. The optional bandit pack (BAN rules, off by default
    and needing ``shipcheck[bandit]``) has its own page, docs/bandit.md."""
    from shipcheck.banditpack import DETECTOR
    from shipcheck.packs import load_builtin

    rules = [r for r in load_builtin().rules if r.detector != DETECTOR]
    text = rules_markdown(rules)
    head, table = text.split("\n\n| ID |", 1)
    note = (
        "The optional bandit pack — bandit's tests as `BAN` rules, off by default — is listed"
        " in [bandit.md](bandit.md)."
    )
    return f"{head}\n\n{note}\n\n| ID |{table}"


def main() -> None:
    """Print the built-in rule reference."""
    print(reference_markdown(), end="")


if __name__ == "__main__":
    main()
