"""The thin paths of one build: one (``"1/4"``) or several switched at run time (``"1,1/8"``, ``"all"``).

A build's width spec is the comma-joined list of its paths; the first is the one the firmware runs after
boot. The paths are nested ({7} in {3, 7} in {1, 3, 5, 7} in all eight), so the blocks a build embeds
are the widest path's, and every other path adds only its own fc2 BatchNorm/PReLU constants.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model.ir import ModelIR
from .errors import CodegenError


def build_widths(ir: ModelIR, spec: str) -> tuple[str, ...]:
    """``"1,1/8"`` -> ``("1", "1/8")``; ``"all"`` -> every path of the model; CodegenError otherwise."""
    available = ir.widths
    text = str(spec).strip()
    if text == "all":
        return tuple(available)
    widths = tuple(w.strip() for w in text.split(","))
    if not text or any(not w for w in widths):
        raise CodegenError(f"width {spec!r}: expected a path such as 1/4, a list such as 1,1/8, or all")
    for w in widths:
        if w not in available:
            raise CodegenError(f"width {w} is not in this model (it has {', '.join(available)})")
    if len(set(widths)) != len(widths):
        raise CodegenError(f"width {spec!r} names a path twice")
    return widths


def width_spec(widths: Sequence[str]) -> str:
    """The canonical text of a build's paths (first = run after boot)."""
    return ",".join(widths)


def embedded_blocks(ir: ModelIR, widths: Sequence[str]) -> list[int]:
    """The D-FSMN blocks a build holds: the union of its paths' blocks, in order."""
    return sorted({i for w in widths for i in ir.blocks(w)})


def float_params(ir: ModelIR, widths: Sequence[str]) -> int:
    """Float parameters of a float network holding the same paths: the widest path's parameters plus,
    for every other path, its fc2 BatchNorm scale, bias and PReLU slope in each of its blocks."""
    widest = max(widths, key=lambda w: len(ir.blocks(w)))
    n = int(ir.header["float_params"][widest])
    for w in widths:
        if w != widest:
            n += sum(3 * int(ir.layer(f"block{i}.fc2")["out_shape"][0]) for i in ir.blocks(w))
    return n
