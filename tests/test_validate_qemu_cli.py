"""`bifsmn-mcu validate` against the real firmware in QEMU: report files, model-hash refusal,
QEMU killed mid-run then --resume (nothing lost, nothing counted twice), wrong port and a silent
device (clear error within the timeout)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import require_tool
from fakes.fw_project import CORE_DIR, firmware_model, generate_project, running_qemu

from bifsmn_mcu.project.pio import free_port, upload_qemu
from bifsmn_mcu.qemu import read_pid_file, stop_qemu
from bifsmn_mcu.resources import samples_dir

pytestmark = pytest.mark.qemu


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from bifsmn_mcu.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory):
    require_tool("qemu-system-arm")
    require_tool("arm-none-eabi-gcc")
    tmp = tmp_path_factory.mktemp("vq")
    ir, ir_path = firmware_model(tmp)
    project = generate_project(tmp / "proj", ir)
    with running_qemu(project) as (port, pid_file):
        yield {
            "tmp": tmp,
            "ir": ir,
            "ir_path": ir_path,
            "project": project,
            "port": port,
            "pid_file": pid_file,
        }


def test_validate_writes_report(setup) -> None:
    rep = setup["tmp"] / "rep"
    p = _cli(
        "validate",
        "--port",
        f"socket://127.0.0.1:{setup['port']}",
        "--data",
        str(samples_dir()),
        "--limit",
        "12",
        "--model",
        str(setup["ir_path"]),
        "--report",
        str(rep),
        "--project",
        str(setup["project"]),
        "--no-progress",
    )
    assert p.returncode == 0, p.stderr
    s = json.loads((rep / "report.json").read_text())
    assert s["n"] == 12 and s["agreement"] == 1.0
    assert s["accuracy"] == s["host_accuracy"]
    assert s["counter"]["unit"] == "instructions" and s["cycles"]["network"]["min"] > 100_000
    assert 0 < s["flash_bytes"] < 4 << 20 and 0 < s["ram_bytes"] < 4 << 20
    assert (rep / "report.md").read_text().startswith("# Validation on qemu-m4")
    assert (rep / "report.png").read_bytes()[:4] == b"\x89PNG"
    assert len((rep / "results.jsonl").read_text().splitlines()) == 12


def test_refuses_other_model(setup) -> None:
    from bifsmn_mcu.model.fold import fold
    from bifsmn_mcu.model.ir import save_ir
    from bifsmn_mcu.model.random_deploy import random_deploy_state

    other = fold(random_deploy_state(seed=99))
    path = save_ir(other, setup["tmp"] / "other.npz")
    p = _cli(
        "validate",
        "--port",
        f"socket://127.0.0.1:{setup['port']}",
        "--data",
        str(samples_dir()),
        "--limit",
        "2",
        "--model",
        str(path),
        "--report",
        str(setup["tmp"] / "rep-other"),
        "--no-progress",
    )
    assert p.returncode != 0
    assert setup["ir"].sha256 in p.stderr and other.sha256 in p.stderr


@pytest.mark.slow
def test_qemu_killed_then_resume(setup) -> None:
    project, tmp = setup["project"], setup["tmp"]
    port = free_port()
    env = "qemu-m4"
    results = tmp / "resume.jsonl"
    pid_file = upload_qemu(project, env, port, CORE_DIR)
    args = [
        "validate",
        "--port",
        f"socket://127.0.0.1:{port}",
        "--data",
        str(samples_dir()),
        "--limit",
        "16",
        "--model",
        str(setup["ir_path"]),
        "--report",
        str(tmp / "rep-resume"),
        "--resume",
        str(results),
        "--timeout",
        "3",
        "--retries",
        "1",
        "--no-progress",
    ]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from bifsmn_mcu.cli import main; main()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if results.is_file() and len(results.read_text().splitlines()) >= 4:
                break
            time.sleep(0.05)
        pid, _ = read_pid_file(pid_file)
        os.killpg(pid, signal.SIGKILL)  # QEMU dies mid-run
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    assert "link lost" in err and "--resume" in err, err
    n_first = len(results.read_text().splitlines())
    assert 4 <= n_first < 16
    pid_file = upload_qemu(project, env, port, CORE_DIR)
    try:
        p = _cli(*args)
    finally:
        stop_qemu(pid_file)
    assert p.returncode == 0, p.stderr
    ids = [json.loads(line)["id"] for line in results.read_text().splitlines()]
    assert len(ids) == 16 == len(set(ids))  # nothing lost, nothing twice
    s = json.loads((tmp / "rep-resume" / "report.json").read_text())
    assert s["n"] == 16 and s["agreement"] == 1.0


def test_wrong_port_fails_fast(tmp_path: Path) -> None:
    port = free_port()  # nothing listens here
    t0 = time.monotonic()
    p = _cli(
        "validate",
        "--port",
        f"socket://127.0.0.1:{port}",
        "--wav",
        str(next(samples_dir().rglob("*.wav"))),
        "--model",
        str(firmware_model(tmp_path)[1]),
        "--timeout",
        "2",
        "--report",
        str(tmp_path / "r"),
    )
    assert p.returncode != 0
    assert "cannot open" in p.stderr and "Traceback" not in p.stderr
    assert time.monotonic() - t0 < 30


def test_silent_device_times_out(tmp_path: Path) -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    conns = []
    threading.Thread(target=lambda: conns.append(srv.accept()), daemon=True).start()
    t0 = time.monotonic()
    try:
        p = _cli(
            "validate",
            "--port",
            f"socket://127.0.0.1:{srv.getsockname()[1]}",
            "--wav",
            str(next(samples_dir().rglob("*.wav"))),
            "--model",
            str(firmware_model(tmp_path)[1]),
            "--timeout",
            "1",
            "--retries",
            "1",
            "--report",
            str(tmp_path / "r"),
        )
    finally:
        srv.close()
    assert p.returncode != 0
    assert "no reply" in p.stderr and "Traceback" not in p.stderr
    assert time.monotonic() - t0 < 30


def test_bare_pio_upload_uses_the_default_env_and_port(setup, tmp_path: Path) -> None:
    import shutil

    from bifsmn_mcu.project.pio import pio_env
    from bifsmn_mcu.protocol.client import DeviceClient
    from bifsmn_mcu.qemu import pid_file_for
    from bifsmn_mcu.transport import open_transport

    proj = tmp_path / "proj"
    shutil.copytree(setup["project"], proj, ignore=shutil.ignore_patterns(".pio"))
    port = free_port()
    ini = proj / "platformio.ini"
    ini.write_text(ini.read_text().replace("custom_qemu_port = 4321", f"custom_qemu_port = {port}"))
    p = subprocess.run(
        [sys.executable, "-m", "platformio", "run", "-t", "upload"],
        cwd=proj,
        env=pio_env(CORE_DIR),
        capture_output=True,
        text=True,
        timeout=600,
    )
    pid_file = pid_file_for(proj, "qemu-m4")
    try:
        assert p.returncode == 0, p.stdout[-2000:]
        assert "Processing qemu-m4" in p.stdout and "Processing qemu-m3" not in p.stdout  # default env only
        client = DeviceClient(open_transport(f"socket://127.0.0.1:{port}"), timeout=5)
        try:
            assert client.info()["model_sha256"] == setup["ir"].sha256
        finally:
            client.close()
    finally:
        if pid_file.is_file():
            stop_qemu(pid_file)
