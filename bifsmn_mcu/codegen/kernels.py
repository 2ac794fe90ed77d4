"""Kernel sets the generated model can call: the portable C99 reference kernels, or the fast ones.

Both sets are bit-exact with the integer reference (tests). ``fast`` calls the optimised kernels of
``firmware/kernels/bnn_kernels_select.h``, which pick their Cortex-M variant by compiler feature
macros (``__ARM_FEATURE_MVE``, Thumb-2 M profile) and fall back to portable C elsewhere, and it
re-packs the binary dense weights (proj, fc1, fc2) into the column layout those kernels read, and
the binary conv weights (conv2) into the fast conv layout (portable words first, then columns).
"""

from __future__ import annotations

import copy

import numpy as np

from ..model.ir import ModelIR
from .errors import CodegenError

# portable kernel name -> the fast kernel with the same arguments
FAST_CALLS = {
    "bnn_bdense_s32": "bnn_bdense_vsparse_s32",  # weights in the column layout (see prepare_ir)
    "bnn_dsa_pack_cols_s32": "bnn_dsa_pack_cols_sel_s32",  # Helium variant on M55
    "bnn_conv2d_s8": "bnn_conv2d_fast_s8",
    "bnn_bdwconv1d_s32": "bnn_bdwconv1d_sel_s32",  # Helium variant on M55
    "bnn_bconv2d_s32": "bnn_bconv2d_sel_s32",  # fast conv layout (see prepare_ir); Helium variant on M55
    "bnn_dense_s8": "bnn_dense_fast_s8",
    "bnn_dsa_pack_rows_s32": "bnn_dsa_pack_rows_fast_s32",
}
KERNEL_SETS = ("fast", "portable")
DEFAULT_KERNELS = "fast"


def check_kernels(kernels: str) -> None:
    if kernels not in KERNEL_SETS:
        raise CodegenError(f"unknown kernel set {kernels!r} (choose from {', '.join(KERNEL_SETS)})")


def kernel_names(kernels: str) -> dict[str, str]:
    """Template context: portable kernel name -> the function the generated code calls."""
    check_kernels(kernels)
    return {name: (FAST_CALLS[name] if kernels == "fast" else name) for name in FAST_CALLS}


def bdense_layers(ir: ModelIR) -> list[str]:
    names = [lay["name"] for lay in ir.header["layers"]]
    return [n for n in names if n == "proj" or n.endswith((".fc1", ".fc2"))]


def prepare_ir(ir: ModelIR, kernels: str) -> ModelIR:
    """The IR whose arrays the chosen kernels read (same sha256: only the weight layout differs)."""
    check_kernels(kernels)
    if kernels == "portable":
        return ir
    from .layout import pack_bconv_fast, pack_bdense_fast

    out = ModelIR(copy.deepcopy(ir.header), dict(ir.arrays))
    for name in bdense_layers(ir):
        lay = ir.layer(name)
        key = lay["arrays"]["W"]
        out.arrays[key] = pack_bdense_fast(np.asarray(ir.arrays[key]), int(lay["in_shape"][0]))
    for lay in ir.header["layers"]:
        if lay["op"] == "bconv2d":
            key = lay["arrays"]["W"]
            out.arrays[key] = pack_bconv_fast(np.asarray(ir.arrays[key]), int(lay["in_shape"][0]))
    return out
