"""The wheel ships templates/, firmware/ and training/ inside the package, and works installed.

Builds the real wheel from a copy of the source tree (no build isolation: setuptools comes from
the venv), then installs it with pip into a scratch folder and asks ``bifsmn_mcu.resources`` where
its data is, in a fresh interpreter that cannot see the source checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_SOURCES = ["pyproject.toml", "setup.py", "README.md", "bifsmn_mcu", "training", "templates", "firmware"]
_JUNK = shutil.ignore_patterns(".pio", "__pycache__", "*.pyc", "*.egg-info", "build", "dist")


def _tree_files(folder: Path) -> list[str]:
    """Files under a source folder, as posix paths relative to it, without build junk."""
    out = []
    for p in folder.rglob("*"):
        rel = p.relative_to(folder)
        if p.is_file() and not {".pio", "__pycache__"} & set(rel.parts) and p.suffix != ".pyc":
            out.append(rel.as_posix())
    return sorted(out)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in _SOURCES:
        p = REPO / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=_JUNK)
        elif p.is_file():
            shutil.copy2(p, src / name)
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list(out.glob("bifsmn_mcu-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


@pytest.mark.parametrize("folder", ["templates", "firmware"])
def test_data_folders_are_shipped_inside_the_package(wheel_names: set[str], folder: str) -> None:
    files = [f for f in _tree_files(REPO / folder) if Path(f).name != ".gitkeep"]
    assert files, f"{folder}/ has no real file yet: nothing to ship"
    missing = [f for f in files if f"bifsmn_mcu/{folder}/{f}" not in wheel_names]
    assert not missing, f"not in the wheel under bifsmn_mcu/{folder}/: {missing[:10]}"
    assert not any(n.startswith(f"{folder}/") for n in wheel_names), f"bare top-level {folder}/ in the wheel"


def test_training_is_installed_as_a_subpackage(wheel_names: set[str]) -> None:
    assert "bifsmn_mcu/training/__init__.py" in wheel_names
    py = [f for f in _tree_files(REPO / "training") if f.endswith(".py")]
    missing = [f for f in py if f"bifsmn_mcu/training/{f}" not in wheel_names]
    assert not missing, f"training modules missing from the wheel: {missing}"
    assert not any(n.startswith("training/") for n in wheel_names), "bare top-level training/ in the wheel"


def test_every_file_of_the_package_ships(wheel_names: set[str]) -> None:
    # modules and data alike: board table, pretrained model, sample WAVs
    files = _tree_files(REPO / "bifsmn_mcu")
    missing = [f for f in files if f"bifsmn_mcu/{f}" not in wheel_names]
    assert not missing, f"not in the wheel: {missing[:10]}"


def test_no_build_junk_in_the_wheel(wheel_names: set[str]) -> None:
    junk = [n for n in wheel_names if "/.pio/" in n or "__pycache__" in n or n.endswith(".pyc")]
    assert not junk, junk[:10]


def test_console_script_is_declared(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        ep = next(n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt"))
        assert "bifsmn-mcu = bifsmn_mcu.cli:main" in zf.read(ep).decode()


def test_resources_resolve_in_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-compile",
            "--target",
            str(site),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # -S: no site-packages, so neither the editable install nor the checkout can answer
    code = (
        "import importlib.util, bifsmn_mcu.resources as r\n"
        "print(r.templates_dir()); print(r.firmware_dir())\n"
        "print(importlib.util.find_spec('bifsmn_mcu.training').origin)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    templates, firmware, training = (Path(line) for line in proc.stdout.split())
    assert templates == site / "bifsmn_mcu" / "templates"
    assert firmware == site / "bifsmn_mcu" / "firmware"
    assert training == site / "bifsmn_mcu" / "training" / "__init__.py"
    assert any(p.is_file() for p in templates.rglob("*"))
    assert any(p.is_file() for p in firmware.rglob("*"))
