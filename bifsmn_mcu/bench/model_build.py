"""The model variants that ``bench`` builds, from ONE model IR through the project's generator.

``portable``: the generated library as ``generate`` writes it (portable C kernels).
``fast``: the same generated library with the binary dense layers (proj, fc1, fc2) re-packed in
the fast layout and calling ``bnn_bdense_vsparse_s32`` (same arguments as ``bnn_bdense_s32``),
whose dot-product core is picked per core by ``bnn_kernels_select.h``. Until the generator has a
kernel-variant option, the switch is done here on the generated text (one call name + one include).
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from ..codegen.generate import write_model_lib
from ..model.ir import ModelIR
from .kernel_layout import pack_bdense_fast

PREFIX = "kws"
# portable kernel -> optimised kernel with the same arguments (bdense: weights in the fast layout)
FAST_CALLS = {
    "bnn_bdense_s32": "bnn_bdense_vsparse_s32",
    "bnn_dsa_pack_cols_s32": "bnn_dsa_pack_cols_sel_s32",  # Helium variant on M55
    "bnn_conv2d_s8": "bnn_conv2d_fast_s8",
    "bnn_bdwconv1d_s32": "bnn_bdwconv1d_sel_s32",  # Helium variant on M55
    "bnn_bconv2d_s32": "bnn_bconv2d_sel_s32",  # Helium variant on M55
    "bnn_dense_s8": "bnn_dense_fast_s8",
    "bnn_dsa_pack_rows_s32": "bnn_dsa_pack_rows_fast_s32",
}
VARIANTS = ("fast", "portable")


def bdense_layers(ir: ModelIR) -> list[str]:
    names = [lay["name"] for lay in ir.header["layers"]]
    return [n for n in names if n == "proj" or n.endswith((".fc1", ".fc2"))]


def fast_ir(ir: ModelIR) -> ModelIR:
    """A copy of ``ir`` whose binary dense weights are in the fast layout (same sha256 kept)."""
    out = ModelIR(copy.deepcopy(ir.header), dict(ir.arrays))
    for name in bdense_layers(ir):
        lay = ir.layer(name)
        key = lay["arrays"]["W"]
        out.arrays[key] = pack_bdense_fast(np.asarray(ir.arrays[key]), int(lay["in_shape"][0]))
    return out


def write_variant_lib(ir: ModelIR, width: str, variant: str, lib_dir: Path) -> list[Path]:
    """Write the library of ``variant`` into ``lib_dir``; returns its C sources."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    lib_dir = Path(lib_dir)
    write_model_lib(fast_ir(ir) if variant == "fast" else ir, width, PREFIX, lib_dir)
    if variant == "fast":
        model_c = lib_dir / f"{PREFIX}_model.c"
        text = model_c.read_text()
        if "bnn_bdense_s32(" not in text:
            raise RuntimeError(f"{model_c}: no bnn_bdense_s32 call to switch to the fast kernel")
        inc = '#include "bnn_kernels.h"'
        text = text.replace(inc, inc + '\n#include "bnn_kernels_select.h"', 1)
        for portable, fast in FAST_CALLS.items():
            text = text.replace(portable + "(", fast + "(")
        model_c.write_text(text)
    return sorted(lib_dir.glob("*.c"))
