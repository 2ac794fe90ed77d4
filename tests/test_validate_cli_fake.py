"""`bifsmn-mcu validate` end to end against a scripted fake device (no QEMU, no C build): the
messages a user sees when a run stops part-way, and what is left on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fakes.scripted_link import ScriptedLink, ack, error, info, result

from bifsmn_mcu.cli.validate import validate
from bifsmn_mcu.model.default import resolve_model
from bifsmn_mcu.protocol.messages import ErrorCode
from bifsmn_mcu.resources import samples_dir

LOGITS = tuple(range(12))


class FakeHost:
    def infer_features(self, feats: np.ndarray) -> np.ndarray:
        return np.array([LOGITS] * len(feats))

    def infer_pcm(self, pcm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros((len(pcm), 32, 32), np.int16), np.array([LOGITS] * len(pcm))


@pytest.fixture()
def sha() -> str:
    return resolve_model(None)[0].sha256


@pytest.fixture()
def device(monkeypatch: pytest.MonkeyPatch):
    """Sets the script of the fake device the next `validate` talks to; returns its link."""
    links: list[ScriptedLink] = []

    def script(*replies) -> ScriptedLink:
        links.append(ScriptedLink(list(replies)))
        return links[-1]

    monkeypatch.setattr("bifsmn_mcu.validate.session.open_transport", lambda url, **kw: links.pop(0))
    monkeypatch.setattr("bifsmn_mcu.simulate.host.HostModel.build", lambda *a, **kw: FakeHost())
    return script


def _wavs(n: int) -> list[str]:
    out: list[str] = []
    for w in sorted(samples_dir().rglob("*.wav"))[:n]:
        out += ["--wav", str(w)]
    return out


def _run(report: Path, *args: str):
    return CliRunner().invoke(
        validate,
        ["--port", "fake://", "--report", str(report), "--timeout", "0.2", "--no-progress", *args],
    )


def _one_line_error(p) -> str:
    """The CLI failed with one ``Error: ...`` line (no traceback); returns it."""
    assert isinstance(p.exception, SystemExit), p.exception
    assert p.exit_code == 1 and p.output.count("\n") == 1 and p.output.startswith("Error: "), p.output
    return p.output


def test_device_refusal_mid_run_says_resume(device, sha: str, tmp_path: Path) -> None:
    device(info(sha), result(11, LOGITS), error(ErrorCode.BAD_SIZE))
    p = _run(tmp_path / "r", *_wavs(3))
    _one_line_error(p)
    assert "device refused utterance" in p.output and "BAD_SIZE" in p.output
    assert f"rerun with --resume {tmp_path / 'r' / 'results.jsonl'}" in p.output
    assert len((tmp_path / "r" / "results.jsonl").read_text().splitlines()) == 1


def _ctrl_c(req):
    raise KeyboardInterrupt


def test_ctrl_c_writes_the_partial_report_and_says_resume(device, sha: str, tmp_path: Path) -> None:
    device(info(sha), result(11, LOGITS), result(11, LOGITS), _ctrl_c)
    p = _run(tmp_path / "r", *_wavs(4))
    results = tmp_path / "r" / "results.jsonl"
    assert p.exit_code == 130 and "Traceback" not in p.output and "Aborted" not in p.output
    assert "interrupted after 2 utterances" in p.output and f"rerun with --resume {results}" in p.output
    assert len(results.read_text().splitlines()) == 2
    assert '"n": 2' in (tmp_path / "r" / "report.json").read_text()


def test_rerun_refuses_to_erase_results_unless_overwrite(device, sha: str, tmp_path: Path) -> None:
    results = tmp_path / "r" / "results.jsonl"
    device(info(sha), result(11, LOGITS))
    assert _run(tmp_path / "r", *_wavs(1)).exit_code == 0
    saved = results.read_text()
    p = _run(tmp_path / "r", *_wavs(1))  # no device is opened: refused up front
    assert p.exit_code == 1 and f"{results} already holds 1 results" in p.output
    assert "--resume" in p.output and "--overwrite" in p.output
    assert results.read_text() == saved
    device(info(sha), result(3, LOGITS), result(3, LOGITS))
    assert _run(tmp_path / "r", "--overwrite", *_wavs(2)).exit_code == 0
    assert len(results.read_text().splitlines()) == 2


def test_unreadable_clip_is_named_in_one_line(device, sha: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    device(info(sha), result(11, LOGITS))
    out = _one_line_error(_run(tmp_path / "r", *_wavs(1), "--wav", str(empty)))
    assert f"{empty}: empty file" in out and "fix or remove it" in out and "--resume" in out


def test_malformed_reply_is_one_line(device, sha: str, tmp_path: Path) -> None:
    device(info(sha), ack())
    out = _one_line_error(_run(tmp_path / "r", *_wavs(1)))
    assert "bad reply to utterance" in out and "with PCM_ACK, expected RESULT" in out


def test_resume_refuses_results_of_another_width(device, sha: str, tmp_path: Path) -> None:
    results = tmp_path / "r" / "results.jsonl"
    device(info(sha, width="1"), result(11, LOGITS))
    assert _run(tmp_path / "r", *_wavs(1)).exit_code == 0
    assert '"width":"1","board":"fake-board"' in results.read_text()
    device(info(sha, width="1/2"), result(11, LOGITS))
    out = _one_line_error(_run(tmp_path / "r2", "--resume", str(results), *_wavs(2)))
    assert f"device holds width 1/2, {results} was measured on width 1" in out and "--width 1" in out
    assert len(results.read_text().splitlines()) == 1


@pytest.mark.parametrize(("opt", "value"), [("--retries", "-1"), ("--timeout", "0"), ("--timeout", "-2")])
def test_bad_retries_or_timeout_is_a_usage_error(tmp_path: Path, opt: str, value: str) -> None:
    p = _run(tmp_path / "r", *_wavs(1), opt, value)
    assert p.exit_code == 2 and f"Invalid value for '{opt}'" in p.output


def test_resume_and_overwrite_exclude_each_other(tmp_path: Path) -> None:
    p = _run(tmp_path / "r", *_wavs(1), "--overwrite", "--resume", str(tmp_path / "x.jsonl"))
    assert p.exit_code == 2 and "--overwrite starts afresh: give one" in p.output
