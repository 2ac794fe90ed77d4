"""Package discovery that pyproject.toml cannot express statically.

The top-level folders ``training/``, ``templates/`` and ``firmware/`` install *inside* the
``bifsmn_mcu`` package (``bifsmn_mcu.training``, ``bifsmn_mcu/templates``, ``bifsmn_mcu/firmware``),
so nothing lands in site-packages as a bare ``training``. Every other setting is in pyproject.toml.
"""

from pathlib import Path

from setuptools import find_packages, setup

# top-level folder -> name inside the wheel (a folder git has no file in yet does not exist in a clone)
_HERE = Path(__file__).resolve().parent
_MAPPED = {
    k: v
    for k, v in {"bifsmn_mcu": "bifsmn_mcu", "training": "bifsmn_mcu.training"}.items()
    if (_HERE / k).is_dir()
}
_DATA = {
    k: v
    for k, v in {"templates": "bifsmn_mcu.templates", "firmware": "bifsmn_mcu.firmware"}.items()
    if (_HERE / k).is_dir()
}
_SKIP = ["*.__pycache__", "*.__pycache__.*"]


def _packages() -> list[str]:
    found = []
    for folder, name in _MAPPED.items():
        found.append(name)
        found += [f"{name}.{sub}" for sub in find_packages(str(_HERE / folder), exclude=_SKIP)]
    return found + list(_DATA.values())


setup(
    packages=_packages(),
    package_dir={name: folder for folder, name in {**_MAPPED, **_DATA}.items()},
    # the whole trees of templates/ and firmware/ ship as data (C, headers, .j2, linker
    # scripts, the PlatformIO dev-platform with its builder/*.py and boards/*.json)
    package_data={
        "*": ["*.json", "*.md", "*.npz", "*.pt", "*.wav", "*.yaml", "*.toml", "*.txt"],
        # everything else under bifsmn_mcu/ ships too: board table, pretrained/ model, samples/ WAVs
        "bifsmn_mcu": ["**/*"],
        **{name: ["**/*"] for name in _DATA.values()},
    },
    exclude_package_data={
        name: ["**/.pio/**", "**/__pycache__/**", "**/*.pyc"] for name in ["bifsmn_mcu", *_DATA.values()]
    },
)
