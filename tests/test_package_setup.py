"""The set-up step and the README quick start agree with the Makefile and with this machine."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import require_tool

REPO = Path(__file__).resolve().parents[1]
APT_TOOLS = {  # Debian package -> a command it installs
    "gcc-arm-none-eabi": "arm-none-eabi-gcc",
    "qemu-system-arm": "qemu-system-arm",
    "gcc": "gcc",
    "g++": "g++",  # train --compile (inductor)
    "espeak-ng": "espeak-ng",
    "flite": "flite",
}


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_readme_quick_start_is_exactly_two_make_commands() -> None:
    text = (REPO / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the quick start has one code block"
    commands = [line.split("#")[0].strip() for line in blocks[0].splitlines() if line.split("#")[0].strip()]
    assert commands == ["make demo", "make test"]


def test_readme_commands_are_make_targets() -> None:
    require_tool("make")
    for target in ("demo", "test", "setup"):
        proc = _make("-n", target)  # dry run: parses the Makefile, runs nothing
        assert proc.returncode == 0, proc.stderr
    assert ".venv/bin/bifsmn-mcu demo" in _make("-n", "demo").stdout
    assert "-m pytest --junitxml=" in _make("-n", "test").stdout


def test_setup_lists_the_debian_packages_the_project_uses() -> None:
    makefile = (REPO / "Makefile").read_text()
    listed = re.search(r"^APT_PACKAGES := (.*)$", makefile, flags=re.M).group(1).split()
    assert set(listed) == set(APT_TOOLS) | {"libnewlib-arm-none-eabi", "python3-dev"}


def test_setup_sees_installed_debian_packages_and_installs_nothing() -> None:
    # on this machine (and in CI after set-up) every package is present: the dpkg query must agree,
    # which it only does when the package names in the Makefile are the real Debian names
    if shutil.which("dpkg-query") is None:
        pytest.skip("not a Debian system")
    for tool in APT_TOOLS.values():
        require_tool(tool)
    proc = _make("system-packages")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "setup: Debian packages present", proc.stdout


def test_ci_script_runs_the_readme_test_command_and_counts_tests() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert re.search(r"^timeout .*\bmake test\b", ci, flags=re.M)
    assert "BIFSMN_REQUIRE_TOOLS=1" in ci and "BIFSMN_REQUIRE_DATA=1" in ci
    assert '"$tests" -eq 0' in ci  # fails when no test ran
    assert "-m slow" in ci
    proc = subprocess.run(["bash", "-n", str(REPO / ".ci" / "run")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
