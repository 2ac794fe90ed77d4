"""The model variants that ``bench`` builds, from ONE model IR through the project's generator.

``fast`` and ``portable`` are the generator's two kernel sets (``generate --kernels``, see
``bifsmn_mcu/codegen/kernels.py``): the optimised kernels picked per core by
``bnn_kernels_select.h``, or the plain C99 reference kernels.
"""

from __future__ import annotations

from pathlib import Path

from ..codegen.generate import write_model_lib
from ..model.ir import ModelIR

PREFIX = "kws"
VARIANTS = ("fast", "portable")


def write_variant_lib(ir: ModelIR, width: str, variant: str, lib_dir: Path) -> list[Path]:
    """Write ``variant``'s library (a generator kernel set) into ``lib_dir``; returns its C sources."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    lib_dir = Path(lib_dir)
    write_model_lib(ir, width, PREFIX, lib_dir, kernels=variant)
    return sorted(lib_dir.glob("*.c"))
