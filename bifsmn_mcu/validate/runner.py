"""The validation loop: handshake, then for every utterance device result vs host simulation.

info = handshake(client, ir.sha256)
run_utterances(client, host, utts, mode="features", ...)   # appends one JSONL record each
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
from tqdm import tqdm

from ..audio.errors import AudioError
from ..frontend.config import FeatureConfig
from ..frontend.reference import features as reference_features
from ..protocol.client import DeviceClient, DeviceError, DeviceTimeout, ProtocolError
from ..protocol.messages import Result
from ..transport.base import TransportError
from .inputs import Utterance
from .results import ResultsWriter


class ValidationError(RuntimeError):
    """Handshake refused or the device misbehaved; one line for the user."""


class RunAborted(ValidationError):
    """The run stopped part-way; the results so far are saved and ``--resume`` continues it."""


class LinkLost(RunAborted):
    """The device stopped answering mid-run (QEMU killed, cable pulled)."""


class HostReference(Protocol):
    def infer_features(self, feats: np.ndarray) -> np.ndarray: ...

    def infer_pcm(self, pcm: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


def handshake(client: DeviceClient, model_sha256: str, timeout: float | None = None) -> dict[str, Any]:
    """INFO exchange; refuses a device that runs another model (saying both hashes)."""
    try:
        info = client.info(timeout=timeout)
    except (DeviceTimeout, TransportError, DeviceError, ValueError) as err:  # ProtocolError is a ValueError
        raise ValidationError(f"handshake failed: {err}") from err
    dev = info.get("model_sha256")
    if dev != model_sha256:
        raise ValidationError(
            f"device runs model {dev}, host model is {model_sha256}: "
            "flash the firmware generated from this model (or pass its --model)"
        )
    return info


def select_width(
    client: DeviceClient, info: dict[str, Any], width: str | None, why: str = "--width asks for"
) -> dict[str, Any]:
    """INFO of the device running ``width`` (None: the path it runs now). A firmware built with several
    paths (``generate --width 1,1/4``) is switched with SET_WIDTH; one without ``width`` is refused
    (``why`` says where ``width`` came from)."""
    running = str(info.get("width"))
    if width is None or width == running:
        return info
    held = [str(w) for w in info.get("widths") or [running]]
    if width not in held:
        raise ValidationError(
            f"device holds width {', '.join(held)}, {why} {width}: generate the firmware with "
            f"--width {width} (or --width {','.join(held + [width])} for several paths switched at run time)"
        )
    try:
        info = client.set_width(width)
    except (DeviceTimeout, TransportError, DeviceError, ValueError) as err:
        raise ValidationError(f"switching the device to width {width} failed: {err}") from err
    if str(info.get("width")) != width:
        raise ValidationError(f"device reports width {info.get('width')} after switching to {width}")
    return info


def load_pcm(u: Utterance, cfg: FeatureConfig) -> np.ndarray:
    from ..audio.clip import load_clip

    return load_clip(u.path, cfg, notice=False)


def _one(
    client: DeviceClient, host: HostReference, pcm: np.ndarray, mode: str, cfg: FeatureConfig
) -> tuple[Any, np.ndarray]:
    if mode == "features":
        feats = reference_features(pcm, cfg).astype(np.int16)
        return client.infer_features(feats), host.infer_features(feats[None])[0]
    _f, host_logits = host.infer_pcm(pcm[None])
    return client.infer_pcm(pcm), host_logits[0]


def _record(
    u: Utterance, res: Result, host_logits: np.ndarray, *, mode: str, model_sha256: str, labels: Sequence[str]
) -> dict[str, Any]:
    host_list = [int(v) for v in host_logits]
    host_label = int(np.argmax(host_logits))
    return {
        "id": u.id,
        "mode": mode,
        "model_sha256": model_sha256,
        "label": u.label,
        "label_name": labels[u.label] if u.label is not None else None,
        "device_label": res.label,
        "host_label": host_label,
        "device_logits": list(res.logits),
        "host_logits": host_list,
        "agree": list(res.logits) == host_list and res.label == host_label,
        "cycles_frontend": res.cycles_frontend,
        "cycles_network": res.cycles_network,
    }


def run_utterances(
    client: DeviceClient,
    host: HostReference,
    utts: Sequence[Utterance],
    *,
    mode: str,
    cfg: FeatureConfig,
    labels: Sequence[str],
    model_sha256: str,
    writer: ResultsWriter,
    stamp: dict[str, Any] | None = None,
    progress: bool = True,
    on_result: Callable[[dict], None] | None = None,
) -> int:
    """Validates ``utts`` in order, writing one record each (with ``stamp``: width, board, counter);
    returns how many were done."""
    n = 0
    bar = tqdm(utts, desc=f"validate ({mode})", unit="utt", disable=not progress)
    try:
        for u in bar:
            try:
                pcm = load_pcm(u, cfg)
            except AudioError as err:
                raise RunAborted(
                    f"cannot read an utterance after {n} new results: {err}; fix or remove it"
                ) from err
            try:
                res, host_logits = _one(client, host, pcm, mode, cfg)
            except (DeviceTimeout, TransportError) as err:
                raise LinkLost(f"device link lost at utterance {u.id} after {n} new results: {err}") from err
            except DeviceError as err:
                raise RunAborted(f"device refused utterance {u.id} after {n} new results: {err}") from err
            except ProtocolError as err:
                raise RunAborted(f"bad reply to utterance {u.id} after {n} new results: {err}") from err
            rec = _record(u, res, host_logits, mode=mode, model_sha256=model_sha256, labels=labels)
            rec.update(stamp or {})
            writer.write(rec)
            n += 1
            if on_result:
                on_result(rec)
    finally:
        bar.close()
    return n
