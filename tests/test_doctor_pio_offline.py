"""Offline PlatformIO: the provisioned tool-scons is accepted by PlatformIO itself and `pio run` builds.

Everything runs against a fresh temporary PLATFORMIO_CORE_DIR; the checks ask PlatformIO's own
package manager (in a subprocess, so its settings are read from that core dir) and run real builds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_tool

from bifsmn_mcu import pio_offline

_FIND = (
    "from platformio.package.manager.core import get_core_package_dir\n"
    "print(get_core_package_dir('tool-scons', auto_install=False))\n"
)


def _pio_env(core: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PLATFORMIO_CORE_DIR": str(core),
        "PLATFORMIO_DISABLE_UPGRADE_CHECK": "true",
        "PLATFORMIO_SETTING_ENABLE_TELEMETRY": "No",
    }


def _platformio_sees(core: Path) -> str:
    """What PlatformIO's core package manager resolves tool-scons to, without installing anything."""
    proc = subprocess.run(
        [sys.executable, "-c", _FIND], capture_output=True, text=True, env=_pio_env(core), timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_platformio_accepts_the_provisioned_package_and_needs_its_piopm(tmp_path: Path) -> None:
    core = tmp_path / "core"
    assert _platformio_sees(core) == "None"  # fresh core dir: PlatformIO would go to the registry
    path = pio_offline.provision_tool_scons(core)
    assert path == core / "packages" / "tool-scons"
    assert _platformio_sees(core) == str(path)

    (path / ".piopm").unlink()  # the fact from the notes: without .piopm the folder is ignored
    assert _platformio_sees(core) == "None"
    assert pio_offline.installed_version(core) is None
    pio_offline.provision_tool_scons(core)  # repairs it
    assert _platformio_sees(core) == str(path)


def test_version_comes_from_the_installed_platformio_and_matches_scons(tmp_path: Path) -> None:
    import SCons
    from platformio.package.meta import PackageSpec
    from semantic_version import Version

    path = pio_offline.provision_tool_scons(tmp_path)
    manifest = json.loads((path / "package.json").read_text())
    meta = json.loads((path / ".piopm").read_text())
    assert manifest["name"] == meta["name"] == "tool-scons"
    assert meta["spec"]["owner"] == "platformio"
    assert manifest["version"] == meta["version"] == pio_offline.required_version()
    spec = PackageSpec(owner="platformio", name="tool-scons", requirements=pio_offline.required_spec())
    assert Version(meta["version"]) in spec.requirements
    assert Version(pio_offline.scons_as_tool_version(SCons.__version__)) in spec.requirements


def test_provisioning_is_idempotent(tmp_path: Path) -> None:
    path = pio_offline.provision_tool_scons(tmp_path)
    stamp = (path / ".piopm").stat().st_mtime_ns
    assert pio_offline.provision_tool_scons(tmp_path) == path
    assert (path / ".piopm").stat().st_mtime_ns == stamp
    (path / "scons.py").unlink()  # a broken package is rebuilt
    pio_offline.provision_tool_scons(tmp_path)
    assert (path / "scons.py").is_file()


def test_core_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORMIO_CORE_DIR", str(tmp_path / "envcore"))
    monkeypatch.delenv("PLATFORMIO_PACKAGES_DIR", raising=False)
    assert pio_offline.provision_tool_scons() == (tmp_path / "envcore" / "packages" / "tool-scons").resolve()


def test_launcher_runs_the_pip_scons(tmp_path: Path) -> None:
    import SCons

    path = pio_offline.provision_tool_scons(tmp_path)
    proc = subprocess.run(
        [sys.executable, str(path / "scons.py"), "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert f"v{SCons.__version__}" in proc.stdout
    assert str(path / "SCons") in proc.stdout  # it runs the provisioned copy, not site-packages


# the smallest local dev-platform: a host board whose builder compiles src/ with the host gcc
_PLATFORM = {
    "platform.json": json.dumps(
        {"name": "tinyhost", "title": "Tiny host", "version": "0.0.1", "frameworks": {}, "packages": {}}
    ),
    "platform.py": (
        "from platformio.public import PlatformBase\n\n\nclass TinyhostPlatform(PlatformBase):\n    pass\n"
    ),
    "boards/host.json": json.dumps(
        {
            "name": "Host",
            "url": "",
            "vendor": "none",
            "frameworks": [],
            "build": {},
            "upload": {"maximum_size": 0, "maximum_ram_size": 0},
        }
    ),
    "builder/main.py": (
        "from SCons.Script import Default, DefaultEnvironment\n\nenv = DefaultEnvironment()\n"
        "env.Replace(CC='gcc', PROGNAME='program', PROGSUFFIX='')\nDefault(env.BuildProgram())\n"
    ),
}


def test_pio_run_builds_with_no_registry(tmp_path: Path) -> None:
    require_tool("gcc")
    project = tmp_path / "proj"
    for rel, text in _PLATFORM.items():
        f = project / "platforms" / "tinyhost" / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    (project / "src").mkdir()
    main_c = '#include <stdio.h>\nint main(void) { puts("tiny ok"); return 0; }\n'
    (project / "src" / "main.c").write_text(main_c)
    (project / "platformio.ini").write_text("[env:host]\nplatform = platforms/tinyhost\nboard = host\n")
    core = tmp_path / "core"
    pio_offline.provision_tool_scons(core)
    pio = Path(sys.executable).with_name("pio")
    # offline, a registry access would hang ~60 s and fail; the timeout keeps a regression visible
    proc = subprocess.run(
        [str(pio), "run", "-d", str(project)], capture_output=True, text=True, env=_pio_env(core), timeout=90
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "SUCCESS" in proc.stdout
    program = project / ".pio" / "build" / "host" / "program"
    out = subprocess.run([str(program)], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "tiny ok"


def test_module_entry_point_reports_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bifsmn_mcu.pio_offline", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    where = tmp_path.resolve() / "packages" / "tool-scons"
    assert proc.stdout.strip() == f"tool-scons {pio_offline.required_version()} ready in {where}"
