"""The board table, the dev-platform board JSONs rendered from it, the generated platformio.ini
(parsed by PlatformIO itself) and the real-board compile + size check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_tool
from fakes.fw_project import CORE_DIR, firmware_model, generate_project

from bifsmn_mcu.boards import BoardError, get_board, load_boards, real_boards
from bifsmn_mcu.project import ProjectError, write_project
from bifsmn_mcu.project.board_check import check_board_fit
from bifsmn_mcu.project.board_json import render_board_jsons
from bifsmn_mcu.project.pio import pio_env, provision
from bifsmn_mcu.resources import firmware_dir

# DESIGN.md's list: env -> (platform, board, framework, core)
EXPECTED = {
    "qemu-m3": ("local", "qemu_mps2_an385", None, "cortex-m3"),
    "qemu-m4": ("local", "qemu_mps2_an386", None, "cortex-m4"),
    "qemu-m7": ("local", "qemu_mps2_an500", None, "cortex-m7"),
    "qemu-m33": ("local", "qemu_mps2_an505", None, "cortex-m33"),
    "qemu-m55": ("local", "qemu_mps3_an547", None, "cortex-m55"),
    "host": ("local", "host", None, "host"),
    "nano33ble": ("nordicnrf52", "nano33ble", "arduino", "cortex-m4"),
    "pico": ("raspberrypi", "pico", "arduino", "cortex-m0plus"),
    "teensy41": ("teensy", "teensy41", "arduino", "cortex-m7"),
    "nucleo_l4r5zi": ("ststm32", "nucleo_l4r5zi", "stm32cube", "cortex-m4"),
    "nucleo_f446re": ("ststm32", "nucleo_f446re", "stm32cube", "cortex-m4"),
    "disco_f746ng": ("ststm32", "disco_f746ng", "stm32cube", "cortex-m7"),
}


def test_table_lists_the_design_boards() -> None:
    boards = load_boards()
    assert set(boards) == set(EXPECTED)
    for key, (platform, board, framework, core) in EXPECTED.items():
        b = boards[key]
        assert (b.platform, b.board, b.framework, b.core) == (platform, board, framework, core)
        assert b.clock_hz > 0 and b.counter
        if not b.is_host:
            assert b.flash_bytes > 0 and b.ram_bytes > 0
    assert get_board("pico").counter == "micros"  # M0+: no DWT, and Arduino-mbed's RTOS owns SysTick
    assert all(b.counter == "systick-icount" for b in boards.values() if b.is_qemu)
    with pytest.raises(BoardError, match="unknown board"):
        get_board("nope")


def test_committed_board_jsons_match_the_table() -> None:
    folder = firmware_dir() / "platform" / "boards"
    rendered = render_board_jsons()
    assert sorted(p.name for p in folder.glob("*.json")) == sorted(rendered)
    for name, text in rendered.items():
        assert json.loads((folder / name).read_text()) == json.loads(text), name


def test_write_project_rejects_bad_input(tmp_path: Path) -> None:
    kw = dict(prefix="kws", model_sha256="0" * 64, width="1", labels=["a"], feature_config={})
    with pytest.raises(ProjectError, match="unknown board"):
        write_project(tmp_path, board="arduino-uno", **kw)
    with pytest.raises(ProjectError, match="C identifier"):
        write_project(tmp_path, board="qemu-m4", **{**kw, "prefix": "1bad"})
    with pytest.raises(ProjectError, match="clashes with the runtime"):  # the same check as generate
        write_project(tmp_path, board="qemu-m4", **{**kw, "prefix": "bsp"})


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("boards")
    ir, _ = firmware_model(tmp)
    return generate_project(tmp / "proj", ir)


def test_platformio_ini_parses_with_every_env(project: Path) -> None:
    provision(CORE_DIR)
    p = subprocess.run(
        [sys.executable, "-m", "platformio", "project", "config", "--json-output"],
        cwd=project,
        env=pio_env(CORE_DIR),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    sections = {name: dict(opts) for name, opts in json.loads(p.stdout)}
    assert sections["platformio"]["default_envs"] == ["qemu-m4"]
    for key, (platform, board, framework, _core) in EXPECTED.items():
        env = sections[f"env:{key}"]
        assert env["platform"] == ("platforms/bifsmn" if platform == "local" else platform)
        assert env["board"] == board
        assert env.get("framework") == ([framework] if framework else None)
    assert (project / "platforms" / "bifsmn" / "platform.json").is_file()


@pytest.mark.arm
@pytest.mark.parametrize("board", [b.key for b in real_boards()])
def test_real_board_compiles_and_fits(project: Path, board: str, tmp_path: Path) -> None:
    require_tool("arm-none-eabi-gcc")
    fit = check_board_fit(project, board, "kws", tmp_path)
    b = get_board(board)
    assert fit.fits, f"{board}: flash {fit.flash_bytes}/{b.flash_bytes}, RAM {fit.ram_bytes}/{b.ram_bytes}"
    assert fit.flash_bytes > 10_000 and fit.ram_bytes > 1_000
