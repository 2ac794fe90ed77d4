"""Training data: sources (speech part, synthetic corpus, FSDD, any folder tree), waveform
augmentation, the cached bank of K augmented feature copies per clip, and batch-time masking."""

from .augment import Augmenter, load_noise
from .bank import FeatureSet, build_featuresets
from .masking import mask_batch

__all__ = ["Augmenter", "FeatureSet", "build_featuresets", "load_noise", "mask_batch"]
