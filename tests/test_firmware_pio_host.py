"""`pio run -e host` builds the generated project with host gcc through the local dev-platform; the
program speaks the protocol on stdin/stdout and equals the host simulation of the same C."""

from __future__ import annotations

import numpy as np
from conftest import require_tool
from fakes.fw_project import CORE_DIR, firmware_model, generate_project

from bifsmn_mcu.model.random_deploy import random_features
from bifsmn_mcu.project.pio import build
from bifsmn_mcu.protocol.client import DeviceClient
from bifsmn_mcu.simulate.host import HostModel
from bifsmn_mcu.transport import open_transport


def test_host_env_equals_simulation(tmp_path) -> None:
    require_tool("gcc")
    ir, _ = firmware_model(tmp_path)
    project = generate_project(tmp_path / "proj", ir)
    build(project, ["host"], CORE_DIR)
    feats = random_features(5, 3).astype(np.int16)
    program = project / ".pio" / "build" / "host" / "program"
    client = DeviceClient(open_transport(f"host:{program}"), timeout=10)
    try:
        info = client.info()
        got = [list(client.infer_features(f).logits) for f in feats]
    finally:
        client.close()
    assert info["model_sha256"] == ir.sha256 and info["counter"] == "clock-ns"
    with HostModel.build(ir, workdir=tmp_path / "sim") as host:
        want = host.infer_features(feats).tolist()
    assert got == want
