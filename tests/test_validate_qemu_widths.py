"""One firmware holding two thin paths (`generate --width 1,1/8`) in QEMU: `validate --width` switches
the running path over the protocol (SET_WIDTH), the device agrees with the host model of that path, the
thinner path runs fewer instructions, and a path the firmware lacks is refused with the fix."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import require_tool
from fakes.fw_project import firmware_model, generate_project, running_qemu

from bifsmn_mcu.resources import samples_dir

pytestmark = pytest.mark.qemu


def _validate(port: int, ir_path, rep, *extra: str) -> subprocess.CompletedProcess:
    args = ["validate", "--port", f"socket://127.0.0.1:{port}", "--data", str(samples_dir()), "--limit", "6"]
    args += ["--model", str(ir_path), "--report", str(rep), "--no-progress", *extra]
    return subprocess.run(
        [sys.executable, "-c", "from bifsmn_mcu.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_validate_switches_the_path_of_a_two_path_firmware(tmp_path) -> None:
    require_tool("qemu-system-arm")
    require_tool("arm-none-eabi-gcc")
    ir, ir_path = firmware_model(tmp_path)
    project = generate_project(tmp_path / "proj", ir, width="1,1/8")
    with running_qemu(project) as (port, _pid):
        net = {}
        for width, rep in (("1", "r1"), ("1/8", "r8")):
            p = _validate(port, ir_path, tmp_path / rep, "--width", width)
            assert p.returncode == 0, p.stderr
            s = json.loads((tmp_path / rep / "report.json").read_text())
            assert s["n"] == 6 and s["agreement"] == 1.0 and s["device"]["width"] == width
            net[width] = s["cycles"]["network"]["min"]
        assert net["1/8"] * 3 < net["1"]  # 1 block against 8
        p = _validate(port, ir_path, tmp_path / "r_dev")  # no --width: the path the device runs now
        assert p.returncode == 0, p.stderr
        assert json.loads((tmp_path / "r_dev" / "report.json").read_text())["device"]["width"] == "1/8"
        p = _validate(port, ir_path, tmp_path / "r_bad", "--width", "1/4")
        assert p.returncode != 0
        assert "device holds width 1, 1/8, --width asks for 1/4" in p.stderr
        assert "--width 1,1/8,1/4" in p.stderr
        # a run on 1/8 cut after 3 clips, the device switched to 1, then --resume without --width: back on 1/8
        rep = tmp_path / "r_res"
        assert _validate(port, ir_path, rep, "--width", "1/8", "--limit", "3").returncode == 0
        assert _validate(port, ir_path, tmp_path / "r_other", "--width", "1", "--limit", "1").returncode == 0
        p = _validate(port, ir_path, tmp_path / "r_unused", "--resume", str(rep / "results.jsonl"))
        assert p.returncode == 0, p.stderr
        lines = (rep / "results.jsonl").read_text().splitlines()
        assert len(lines) == 6 and {json.loads(x)["width"] for x in lines} == {"1/8"}
