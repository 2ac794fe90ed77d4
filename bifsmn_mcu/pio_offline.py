"""Provision PlatformIO's ``tool-scons`` core package from the pip-installed SCons.

``pio run`` runs ``python <core>/packages/tool-scons/scons.py``; on a fresh core dir it downloads
that package from the PlatformIO registry, which may be unreachable. This module builds the same
package locally (see ``notes/platformio-offline.md``): the ``SCons/`` folder of the installed scons
wheel, a ``scons.py`` launcher, a ``package.json`` and a ``.piopm`` metadata file with owner
"platformio" (without it PlatformIO ignores the folder). The version is the one the installed
platformio requires, so nothing here is hard-coded. Idempotent; about 0.2 s.

    python -m bifsmn_mcu.pio_offline [CORE_DIR]     # prints the package folder
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

PACKAGE = "tool-scons"
OWNER = "platformio"

_LAUNCHER = '''\
"""SCons launcher for PlatformIO, written by bifsmn-mcu from the pip-installed SCons."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import SCons.Script  # noqa: E402

SCons.Script.main()
'''


class PioOfflineError(RuntimeError):
    """The offline PlatformIO set-up cannot be done (one line, shown to the user)."""


def core_dir(path: Path | None = None) -> Path:
    """The PlatformIO core dir: ``path``, else ``$PLATFORMIO_CORE_DIR``, else ``~/.platformio``."""
    if path is not None:
        return Path(path).expanduser().resolve()
    env = os.environ.get("PLATFORMIO_CORE_DIR")
    return Path(env).expanduser().resolve() if env else Path.home() / ".platformio"


def package_dir(core: Path | None = None) -> Path:
    """Where ``tool-scons`` lives in a core dir (honours ``PLATFORMIO_PACKAGES_DIR`` like PlatformIO)."""
    if core is None and os.environ.get("PLATFORMIO_PACKAGES_DIR"):
        return Path(os.environ["PLATFORMIO_PACKAGES_DIR"]).expanduser().resolve() / PACKAGE
    return core_dir(core) / "packages" / PACKAGE


def required_spec() -> str:
    """The ``tool-scons`` requirement of the installed platformio, e.g. ``~4.41101.0``."""
    try:
        from platformio.dependencies import get_core_dependencies
    except ImportError as exc:
        raise PioOfflineError("platformio is not installed in this Python (pip install platformio)") from exc
    return get_core_dependencies()[PACKAGE]


def required_version() -> str:
    """The base version of :func:`required_spec` (``~4.41101.0`` -> ``4.41101.0``)."""
    return required_spec().lstrip("~^=<>! ")


def scons_source() -> tuple[Path, str]:
    """The installed ``SCons`` package folder and its version."""
    try:
        import SCons
    except ImportError as exc:
        raise PioOfflineError("SCons is not installed in this Python (pip install scons)") from exc
    return Path(SCons.__file__).resolve().parent, SCons.__version__


def scons_as_tool_version(version: str) -> str:
    """PlatformIO's numbering of SCons releases: 4.11.1 -> 4.41101.0 (major.major+minor+patch)."""
    major, minor, patch = (int(x) for x in (version.split(".") + ["0", "0"])[:3])
    return f"{major}.{major}{minor:02d}{patch:02d}.0"


def installed_version(core: Path | None = None) -> str | None:
    """The version recorded in a provisioned ``tool-scons``'s ``.piopm``, or None when absent."""
    meta = package_dir(core) / ".piopm"
    try:
        data = json.loads(meta.read_text())
    except (OSError, ValueError):
        return None
    if (data.get("spec") or {}).get("owner") != OWNER or data.get("name") != PACKAGE:
        return None
    if not (package_dir(core) / "scons.py").is_file() or not (package_dir(core) / "SCons").is_dir():
        return None
    return data.get("version")


def provision_tool_scons(core_dir: Path | None = None) -> Path:
    """Make ``tool-scons`` available in a PlatformIO core dir without the registry; returns its folder.

    Idempotent: an already provisioned package of the required version is left alone.
    Raises :class:`PioOfflineError` when platformio or scons is missing or their versions disagree.
    """
    version = required_version()
    src, scons_version = scons_source()
    if scons_as_tool_version(scons_version) != version:
        raise PioOfflineError(
            f"installed SCons {scons_version} is not what platformio needs for {PACKAGE} "
            f"({required_spec()}); install the scons version pinned in pyproject.toml"
        )
    target = package_dir(core_dir)
    if installed_version(core_dir) == version:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{PACKAGE}-", dir=target.parent))
    staging.chmod(0o755)
    try:
        shutil.copytree(src, staging / "SCons", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (staging / "scons.py").write_text(_LAUNCHER)
        manifest = {
            "name": PACKAGE,
            "version": version,
            "description": f"SCons {scons_version} from the pip-installed scons (provisioned by bifsmn-mcu)",
            "system": "*",
        }
        (staging / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        meta = {
            "type": "tool",
            "name": PACKAGE,
            "version": version,
            "spec": {"owner": OWNER, "id": None, "name": PACKAGE, "requirements": None, "uri": None},
        }
        (staging / ".piopm").write_text(json.dumps(meta))
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        path = provision_tool_scons(Path(args[0]) if args else None)
    except (PioOfflineError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{PACKAGE} {required_version()} ready in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
