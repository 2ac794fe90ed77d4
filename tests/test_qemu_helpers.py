"""bifsmn_mcu.qemu: stopping the process group named by an upload pid file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bifsmn_mcu.qemu import QemuError, is_running, read_pid_file, stop_qemu


def test_stop_kills_the_group_and_removes_the_pid_file(tmp_path: Path) -> None:
    # the same shape as the upload target: `timeout` leading a process group, its child running
    proc = subprocess.Popen(["timeout", "60", "sleep", "60"], start_new_session=True)
    pid_file = tmp_path / "qemu.pid"
    pid_file.write_text(f"{proc.pid} 4321\n")
    assert read_pid_file(pid_file) == (proc.pid, 4321)
    assert stop_qemu(pid_file) is True
    proc.wait(timeout=5)
    assert not is_running(proc.pid) and not pid_file.exists()


def test_stale_and_missing_pid_files(tmp_path: Path) -> None:
    proc = subprocess.Popen(["true"], start_new_session=True)
    proc.wait()
    stale = tmp_path / "stale.pid"
    stale.write_text(f"{proc.pid} 1\n")
    assert stop_qemu(stale) is False and not stale.exists()
    with pytest.raises(QemuError, match="no QEMU pid file"):
        stop_qemu(tmp_path / "missing.pid")
