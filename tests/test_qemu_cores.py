"""Every QEMU core builds with `pio run` from one generated project and validates >= 10 clips
bit-exactly against the host simulation (slow: one QEMU boot and build per core)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import require_tool
from fakes.fw_project import firmware_model, generate_project, running_qemu

from bifsmn_mcu.boards import get_board, qemu_boards
from bifsmn_mcu.resources import samples_dir
from bifsmn_mcu.validate.inputs import from_folder
from bifsmn_mcu.validate.session import ValidateOptions, validate

pytestmark = [pytest.mark.qemu, pytest.mark.slow]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    require_tool("qemu-system-arm")
    require_tool("arm-none-eabi-gcc")
    tmp = tmp_path_factory.mktemp("cores")
    ir, _ = firmware_model(tmp)
    return ir, generate_project(tmp / "proj", ir)


def test_table_has_the_five_qemu_cores() -> None:
    assert {b.qemu_machine for b in qemu_boards()} >= {
        "mps2-an385",
        "mps2-an386",
        "mps2-an500",
        "mps2-an505",
        "mps3-an547",
    }


@pytest.mark.parametrize("env", [b.key for b in qemu_boards()])
def test_core_validates_bit_exact(project, env: str, tmp_path: Path) -> None:
    ir, proj = project
    board = get_board(env)
    utts = from_folder(samples_dir(), ir.labels, limit=12)
    with running_qemu(proj, env) as (port, _pid):
        url = f"socket://127.0.0.1:{port}"
        out = validate(
            ir,
            ValidateOptions(
                port=url,
                utterances=utts,
                mode="features",
                report_dir=tmp_path / "f",
                project=proj,
                progress=False,
                timeout=20,
            ),
        )
        pcm = validate(
            ir,
            ValidateOptions(
                port=url,
                utterances=utts[:2],
                mode="pcm",
                report_dir=tmp_path / "p",
                project=proj,
                progress=False,
                timeout=20,
            ),
        )
    s = out.summary
    assert s["n"] == 12 and s["agreement"] == 1.0 and s["accuracy"] == s["host_accuracy"]
    assert s["device"]["board"] == env and s["device"]["core"] == board.core
    assert s["counter"]["unit"] == "instructions"
    assert s["flash_bytes"] <= board.flash_bytes and s["ram_bytes"] <= board.ram_bytes
    assert pcm.summary["agreement"] == 1.0 and pcm.summary["cycles"]["frontend"]["min"] > 0
