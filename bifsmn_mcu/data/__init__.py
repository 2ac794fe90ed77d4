"""Keyword data: label sets, clip records, loaders, speaker-disjoint split, batch/cached features.

Loaders return ``list[Clip]``; ``Clip.load(cfg)`` gives int16 samples of exactly one clip.

- ``load_folder(DIR)``: any folder-per-label tree (``DIR/<label>/*.wav``) - what ``--data DIR``
  means across the CLI; ``folder_labels(DIR)`` gives its class order.
- ``load_speech_part(ROOT)`` + ``split_speech_part(clips)``: the shared 12-class part,
  speaker-disjoint deterministic train/dev split.
- ``load_speech_commands(ROOT, split)``: standard Speech Commands layout (v0.01/v0.02).
- ``load_fsdd(ROOT, split)``: Free Spoken Digit Dataset, official split.
- ``features_for(clips, cfg, cache_dir=..., workers=2)``: int16 (N, 32, 32) features;
  ``audio_for`` the same for int16 (N, 16000) samples, ``label_indices(clips, labels)``.
- ``Augmenter(AugmentConfig(), NoiseBank.optional(noise)).batch(pcm, rng)``: waveform augmentation
  (the official recipe training uses).
- ``data.synth.make_corpus`` (``bifsmn-mcu data synth``): synthetic corpus, same layout.
"""

from .augment import Augmenter, NoiseBank
from .cache import audio_for, features_for, label_indices
from .clip import Clip, class_counts
from .errors import DataError
from .folder import folder_labels, load_folder, speaker_of
from .fsdd import load_fsdd
from .labels import (
    ALL_WORDS,
    FSDD_LABELS,
    KEYWORDS,
    LABELS,
    SILENCE,
    UNKNOWN,
    UNKNOWN_WORDS,
    label_order,
    task_label,
)
from .speech_commands import load_speech_commands, noise_segments
from .speech_part import load_speech_part, split_speech_part
from .split import split_by_speaker

__all__ = [
    "ALL_WORDS", "Augmenter", "FSDD_LABELS", "KEYWORDS", "LABELS", "NoiseBank", "SILENCE", "UNKNOWN",
    "UNKNOWN_WORDS",
    "Clip", "DataError", "audio_for", "class_counts", "features_for", "folder_labels", "label_indices",
    "label_order", "load_folder", "load_fsdd", "load_speech_commands", "load_speech_part",
    "noise_segments", "speaker_of", "split_by_speaker", "split_speech_part", "task_label",
]  # fmt: skip
