"""A numpy float64 forward of the deploy dict (SPEC section 3), to check ``deploy_state`` against torch.

Independent of torch on purpose: it reads only the dict. It is the export side's float reference
(``bifsmn_mcu.model.float_reference``, device-grid semantics), one clip at a time:
``forward(state, feats, width)`` -> logits ``(n_classes,)``.
"""

from __future__ import annotations

import numpy as np

from bifsmn_mcu.model import float_reference


def forward(state: dict, feats: np.ndarray, width: str = "1") -> np.ndarray:
    """Logits (12,) of one int16 feature map ``(32 mel, 32 time)`` on path ``width``."""
    return float_reference.forward(state, np.asarray(feats)[None], width)[0]
