"""`bifsmn-mcu demo`, the README main job: generate -> pio run -t upload (QEMU M4) -> validate on
the shipped sample clips -> report; QEMU is stopped afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_tool
from fakes.fw_project import CORE_DIR, firmware_model

from bifsmn_mcu.qemu import pid_file_for

pytestmark = [pytest.mark.qemu, pytest.mark.slow]


def test_demo_runs_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_tool("qemu-system-arm")
    require_tool("arm-none-eabi-gcc")
    _ir, ir_path = firmware_model(tmp_path)
    out = tmp_path / "demo"
    env = {
        "PLATFORMIO_CORE_DIR": str(CORE_DIR),
        "PLATFORMIO_DISABLE_UPGRADE_CHECK": "true",
        "BIFSMN_SHARED_DATA": str(tmp_path / "none"),
    }
    p = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bifsmn_mcu.cli import main; main()",
            "demo",
            "--out",
            str(out),
            "--model",
            str(ir_path),
            "--limit",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env={**__import__("os").environ, **env},
    )
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    assert "agreement 100.0 %" in p.stdout and "instructions per inference" in p.stdout
    assert "flash" in p.stdout and "RAM" in p.stdout
    s = json.loads((out / "report-samples" / "report.json").read_text())
    assert s["n"] == 24 and s["agreement"] == 1.0
    assert not pid_file_for(out / "project", "qemu-m4").exists()  # QEMU stopped
