"""The CI acceptance run on real clips: generate -> `pio run -e qemu-m4 -t upload --upload-port P`
-> `validate --port socket://127.0.0.1:P` on 50 clips of ../shared/data in features mode and 10 in
PCM mode: device == host on every logit, and accuracy equals the host simulation's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_tool
from fakes.fw_project import CORE_DIR, firmware_model, generate_project

from bifsmn_mcu.project.pio import free_port, pio_env, provision
from bifsmn_mcu.qemu import pid_file_for, stop_qemu

pytestmark = [pytest.mark.qemu, pytest.mark.slow, pytest.mark.data]


def _run(
    cmd: list[str], cwd: Path, env: dict | None = None, timeout: float = 900
) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    return p


def test_ci_loop_on_real_clips(shared_data: Path, tmp_path: Path) -> None:
    require_tool("qemu-system-arm")
    require_tool("arm-none-eabi-gcc")
    ir, ir_path = firmware_model(tmp_path)
    project = generate_project(tmp_path / "proj", ir)
    provision(CORE_DIR)
    port = free_port()
    _run(
        [
            sys.executable,
            "-m",
            "platformio",
            "run",
            "-e",
            "qemu-m4",
            "-t",
            "upload",
            "--upload-port",
            str(port),
        ],
        project,
        env=pio_env(CORE_DIR),
    )
    cli = [
        sys.executable,
        "-c",
        "from bifsmn_mcu.cli import main; main()",
        "validate",
        "--port",
        f"socket://127.0.0.1:{port}",
        "--data",
        str(shared_data / "speech_commands_v0.02_part"),
        "--model",
        str(ir_path),
        "--project",
        str(project),
        "--no-progress",
    ]
    try:
        _run([*cli, "--limit", "50", "--mode", "features", "--report", str(tmp_path / "feat")], project)
        _run([*cli, "--limit", "10", "--mode", "pcm", "--report", str(tmp_path / "pcm")], project)
    finally:
        stop_qemu(pid_file_for(project, "qemu-m4"))
    feat = json.loads((tmp_path / "feat" / "report.json").read_text())
    pcm = json.loads((tmp_path / "pcm" / "report.json").read_text())
    assert feat["n"] == 50 and pcm["n"] == 10
    for s in (feat, pcm):
        assert s["agreement"] == 1.0, s["mismatches"]
        assert s["accuracy"] == s["host_accuracy"]
        assert s["flash_bytes"] > 0 and s["ram_bytes"] > 0
    assert set(pcm["cycles"]) == {"network", "frontend", "total"}
