"""Fixed-point log-mel front end (numpy reference; the C twin lives in firmware/frontend)."""

from .config import DEFAULT_FEATURES, FeatureConfig
from .reference import features, features_float

__all__ = ["DEFAULT_FEATURES", "FeatureConfig", "features", "features_float"]
