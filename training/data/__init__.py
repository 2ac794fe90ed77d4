"""Training data: sources (speech part, synthetic corpus, FSDD, any folder tree), the cached bank of
K augmented feature copies per clip (augmentation: ``bifsmn_mcu.data.augment``), batch-time masking."""

from .bank import FeatureSet, build_featuresets
from .masking import mask_batch

__all__ = ["FeatureSet", "build_featuresets", "mask_batch"]
