"""Shared test helpers: where the real data lives, and tools that may be missing.

Tests that need an external tool call ``require_tool("qemu-system-arm")``: it skips when the
tool is missing, unless ``BIFSMN_REQUIRE_TOOLS=1`` (set by CI), where a missing tool fails the test.
Tests that need ``../shared/data`` use the ``shared_data`` fixture (same rule via ``BIFSMN_REQUIRE_DATA=1``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("BIFSMN_SHARED_DATA", REPO.parent / "shared" / "data"))
SPEECH_PART = SHARED_DATA / "speech_commands_v0.02_part"


def _missing(what: str, env: str) -> None:
    if os.environ.get(env) == "1":
        pytest.fail(f"{what} is missing but {env}=1 requires it")
    pytest.skip(f"{what} is not available here")


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        _missing(f"tool {name!r}", "BIFSMN_REQUIRE_TOOLS")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SPEECH_PART.is_dir():
        _missing(f"shared data at {SHARED_DATA}", "BIFSMN_REQUIRE_DATA")
    return SHARED_DATA


@pytest.fixture(scope="module")
def ir_file(tmp_path_factory: pytest.TempPathFactory):
    """(path of a saved random model IR, the IR) for the generate tests."""
    from bifsmn_mcu.model.fold import fold
    from bifsmn_mcu.model.ir import save_ir
    from bifsmn_mcu.model.random_deploy import random_deploy_state

    ir = fold(random_deploy_state(41))
    return save_ir(ir, tmp_path_factory.mktemp("ir") / "m.npz"), ir
