"""The scan in a real (pseudo-)terminal: progress on standard error only when it is a terminal,
erased before the report; Ctrl-C as one line and exit 130, worker pool included; the report at
the terminal's real width with hanging indents; NO_COLOR."""

from __future__ import annotations

import re

import pytest

from reporting_support import DOCKERFILE_ROOT, REQUIREMENTS, write
from shipcheck.reporters.terminal import SEVERITY_COLUMN, TerminalReporter
from terminal_support import pty_run

from conftest import FIXTURES, run_scan

NOW = {"SHIPCHECK_PROGRESS_DELAY": "0"}  # show the display at once (a real scan waits 1 s)
COLOUR = re.compile(r"\x1b\[[0-9;]*3[0-9](;[0-9]+)*m")  # a foreground colour


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("term") / "app"
    return write(root, {"Dockerfile": DOCKERFILE_ROOT, "requirements.txt": REQUIREMENTS})


def test_progress_on_a_terminal_is_erased_and_never_reaches_stdout(project):
    run = pty_run(["scan", ".", "--isolated", "--offline"], cwd=project,
                  stdout_on_terminal=False, env=NOW)  # fmt: skip
    assert run.returncode == 1
    # A quick scan may pass its phases before the display draws them; the last is always drawn.
    phases = ("finding files", "reading files", "checking the project as a whole", "scoring")
    assert any(phase in run.terminal for phase in phases)
    assert "\x1b[2K" in run.terminal, "the display was not erased"
    assert "Gate failed" in run.stdout
    assert "reading files" not in run.stdout and "\x1b[" not in run.stdout


def test_no_progress_when_stderr_is_not_a_terminal_or_quiet(project, tmp_path):
    from typer.testing import CliRunner

    from shipcheck.cli import app

    piped = CliRunner().invoke(app, ["scan", str(project), "--isolated", "--offline"], env=NOW)
    assert "files" not in piped.stderr and piped.stderr == ""
    quiet = pty_run(["scan", ".", "--isolated", "--offline", "-q", "-o", str(tmp_path / "r.json")],
                    cwd=project, stdout_on_terminal=False, env=NOW)  # fmt: skip
    assert quiet.returncode == 1 and quiet.terminal == "", quiet.terminal


@pytest.mark.slow
def test_ctrl_c_in_the_worker_pool_is_one_line_and_exit_130(tmp_path):
    # Enough files that the pool is still busy when the first chunk reports progress.
    files = {f"pkg/m{i}.py": f"import requests\nrequests.get('u{i}')\n" * 20 for i in range(600)}
    root = write(tmp_path / "big", files)
    run = pty_run(["scan", ".", "--isolated", "--offline", "--jobs", "2"], cwd=root,
                  env=NOW, interrupt_when="reading files")  # fmt: skip
    assert run.returncode == 130, run.screen_text[-500:]
    text = run.screen_text
    assert text.count("shipcheck: interrupted") == 1, "only the parent reports it"
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert "Gate" not in text, "no report after an interruption"


def test_ctrl_c_before_the_display_appears_is_one_line(monkeypatch):
    from typer.testing import CliRunner

    from shipcheck import engine
    from shipcheck.cli import app

    def interrupted(options):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "scan", interrupted)
    result = CliRunner().invoke(app, ["scan", ".", "--isolated"])
    assert result.exit_code == 130
    assert result.stderr.strip() == "shipcheck: interrupted"


def test_pool_workers_ignore_ctrl_c():
    import signal
    import subprocess
    import sys

    code = (
        "import signal, multiprocessing as mp; from shipcheck import workers, filepass;"
        "ours, theirs = mp.Pipe(); ours.send(None);"
        "workers._worker_main(theirs, filepass.WorkerSettings(rules=(), modules=()));"
        "print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip() == "True"
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN  # this process untouched


def test_report_uses_the_terminal_real_width_and_colour(project):
    wide = pty_run(["scan", ".", "--isolated", "--offline"], cwd=project, columns=120)
    lines = wide.screen_text.splitlines()
    assert max(len(line.rstrip()) for line in lines) > 80, "the 120-column width was not used"
    assert max(len(line.rstrip()) for line in lines) <= 120
    assert COLOUR.search(wide.terminal)
    narrow = pty_run(["scan", ".", "--isolated", "--offline"], cwd=project, columns=80)
    assert max(len(line.rstrip()) for line in narrow.screen_text.splitlines()) <= 80


def test_no_color_is_respected_and_the_flag_wins(project):
    plain = pty_run(["scan", ".", "--isolated", "--offline"], cwd=project, env={"NO_COLOR": "1"})
    assert not COLOUR.search(plain.terminal) and "Gate failed" in plain.terminal
    forced = pty_run(["scan", ".", "--isolated", "--offline", "--color"], cwd=project,
                     env={"NO_COLOR": "1"})  # fmt: skip
    assert COLOUR.search(forced.terminal)


def test_wrapped_lines_keep_their_hanging_indent():
    report = run_scan(FIXTURES / "projects" / "orders", select=["DKR020", "DEP001", "PY003"])
    text = TerminalReporter(width=80).render(report)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    block = lines[lines.index(next(x for x in lines if "DKR020" in x)) :]
    message, fix = block[1], next(i for i, x in enumerate(block) if x.lstrip().startswith("fix:"))
    indent = " " * SEVERITY_COLUMN
    assert message.startswith(indent) and not message.startswith(indent + " ")
    assert block[2].startswith(indent), "the message's second line lost its indent"
    assert block[fix + 1].startswith(indent + " " * len("fix: ")), "the fix lost its indent"


def test_nothing_read_is_one_sentence(tmp_path):
    from typer.testing import CliRunner

    from shipcheck.cli import app

    empty = write(tmp_path / "site", {"index.css": "body {}\n", "logo.svg.bin": "\x00"})
    result = CliRunner().invoke(app, ["scan", str(empty), "--isolated"])
    assert result.exit_code == 0
    assert " ".join(result.stdout.split()) == f"Nothing shipcheck reads was found in {empty}."
