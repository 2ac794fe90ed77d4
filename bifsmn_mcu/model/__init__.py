"""Model side of the deploy path: float reference, folding to integers, the IR, the integer reference.

Nothing here imports torch. ``float_reference`` runs a deploy dict (SPEC §4) in float64;
``fold`` turns it into the integer constants of SPEC §5; ``ir`` saves/loads them (``.npz`` + JSON
header, sha256); ``intref`` is the integer reference the generated C must equal bit for bit.
"""

WIDTHS: tuple[str, ...] = ("1", "1/2", "1/4", "1/8")
"""Thin-path names, widest first (SPEC §3 ``path_blocks``)."""
