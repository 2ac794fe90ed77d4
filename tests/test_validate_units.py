"""Validation pieces without a device: input selection, JSONL results/resume, summary arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bifsmn_mcu.resources import samples_dir
from bifsmn_mcu.validate.inputs import InputError, from_files, from_folder
from bifsmn_mcu.validate.report import markdown
from bifsmn_mcu.validate.results import (
    ResultsError,
    ResultsWriter,
    check_resumable,
    load_results,
    run_stamp,
)
from bifsmn_mcu.validate.session import ValidateOptions, elf_for
from bifsmn_mcu.validate.summary import counter_scale, summarize

LABELS = ["_unknown_", "_silence_", "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]


def test_limit_takes_classes_round_robin() -> None:
    utts = from_folder(samples_dir(), LABELS, limit=12)
    assert sorted(u.label for u in utts) == list(range(12))
    assert len({u.id for u in from_folder(samples_dir(), LABELS)}) == 24
    with pytest.raises(InputError):
        from_folder(samples_dir() / "missing", LABELS)
    with pytest.raises(InputError):
        from_files([Path("nope.wav")], LABELS)


def _rec(i: int, **kw) -> dict:
    return {
        "id": f"u{i}",
        "mode": "features",
        "model_sha256": "m",
        "label": i % 2,
        "device_label": 0,
        "host_label": 0,
        "agree": True,
        "cycles_frontend": 0,
        "cycles_network": 1000 + i,
        **kw,
    }


def test_results_resume_dedupes_and_survives_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    w = ResultsWriter(path, fresh=True)
    for i in range(3):
        w.write(_rec(i))
    w.close()
    with path.open("a") as fh:
        fh.write('{"id": "u3", "mo')  # crash mid-line
    done = load_results(path)
    assert sorted(done) == ["u0", "u1", "u2"]
    w = ResultsWriter(path, fresh=False)
    w.write(_rec(3))
    w.write(_rec(1, cycles_network=7))  # a repeat: the last record wins, counted once
    w.close()
    done = load_results(path)
    assert sorted(done) == ["u0", "u1", "u2", "u3"] and done["u1"]["cycles_network"] == 7
    check_resumable(done, model_sha256="m", mode="features", path=path)
    with pytest.raises(ResultsError, match="model"):
        check_resumable(done, model_sha256="other", mode="features", path=path)
    with pytest.raises(ResultsError, match="mode"):
        check_resumable(done, model_sha256="m", mode="pcm", path=path)


def test_resume_refuses_another_width_board_or_counter(tmp_path: Path) -> None:
    info = {"board": "qemu-m4", "counter": "systick-icount", "clock_hz": 25_000_000, "icount_shift": 3}
    done = {"u0": _rec(0, **run_stamp(info, "1"))}
    path = tmp_path / "r.jsonl"
    check_resumable(done, model_sha256="m", mode="features", path=path, stamp=run_stamp(info, "1"))
    with pytest.raises(ResultsError, match="width '1'; this device reports '1/2'"):
        check_resumable(done, model_sha256="m", mode="features", path=path, stamp=run_stamp(info, "1/2"))
    for key, other in [("board", "qemu-m3"), ("counter", "dwt"), ("icount_shift", 0)]:
        with pytest.raises(ResultsError, match=key):
            stamp = run_stamp({**info, key: other}, "1")
            check_resumable(done, model_sha256="m", mode="features", path=path, stamp=stamp)
    # records from before the stamp: model and mode only
    check_resumable(
        {"u0": _rec(0)}, model_sha256="m", mode="features", path=path, stamp=run_stamp(info, "1/2")
    )


def test_icount_ticks_become_instructions() -> None:
    unit, k = counter_scale({"counter": "systick-icount", "clock_hz": 25_000_000, "icount_shift": 3})
    assert unit == "instructions" and k == pytest.approx(5.0)  # 0.2 SysTick ticks per instruction
    assert counter_scale({"counter": "dwt", "clock_hz": 64_000_000}) == ("cycles", 1.0)


def test_summary_numbers() -> None:
    recs = [_rec(i, device_label=i % 2, agree=i != 3) for i in range(4)]
    info = {"counter": "dwt", "clock_hz": 1_000_000, "board": "b"}
    s = summarize(recs, info, flash_bytes=10, ram_bytes=20, mode="features")
    assert (s["n"], s["accuracy"], s["agreement"]) == (4, 1.0, 0.75)
    assert s["cycles"]["network"] == {"min": 1000, "median": 1002, "max": 1003}  # median of 1001, 1002 rounds
    assert s["latency_ms"]["network"]["min"] == pytest.approx(1.0)
    assert s["mismatches"] == ["u3"] and s["n_mismatches"] == 1
    json.dumps(s)


def test_mismatch_list_says_it_is_cut() -> None:
    recs = [_rec(i, agree=False) for i in range(25)]
    s = summarize(recs, {"counter": "dwt"}, flash_bytes=None, ram_bytes=None, mode="features")
    assert (len(s["mismatches"]), s["n_mismatches"]) == (20, 25)
    assert "Mismatches (first 20 of 25): u0, " in markdown(s)
    json.dumps(s)


def test_report_states_the_link_health() -> None:
    s = summarize([_rec(0)], {"counter": "dwt"}, flash_bytes=None, ram_bytes=None, mode="features")
    s["link"] = {
        "resends": 3,
        "clip_restarts": 1,
        "bad_crc_frames": 2,
        "skipped_bytes": 40,
        "unsolicited_errors": 0,
    }
    line = "link (this session): 3 resends, 1 clip restarts, 2 frames with a bad CRC, 40 bytes skipped"
    assert line in markdown(s)


@pytest.mark.parametrize("name", ["program.elf", "firmware.elf"])
def test_elf_found_under_either_platform_name(tmp_path: Path, name: str) -> None:
    """The local QEMU platform builds program.elf, the official board platforms firmware.elf."""
    build = tmp_path / ".pio" / "build" / "nucleo_f446re"
    build.mkdir(parents=True)
    (build / name).write_bytes(b"\x7fELF")
    opts = ValidateOptions(port="loop://", utterances=[], project=tmp_path)
    assert elf_for(opts, {"board": "nucleo_f446re"}) == build / name
    assert elf_for(opts, {"board": "pico"}) is None
    assert elf_for(opts, {"board": "host"}) is None


def test_raw_speech_commands_folders_count_for_the_12_class_task(tmp_path: Path) -> None:
    """bed -> _unknown_, _background_noise_ -> _silence_ (SPEC 2); a folder that is no Speech Commands
    word stays unlabelled; a model with other classes (FSDD digits) maps nothing."""
    src = next(samples_dir().rglob("*.wav"))
    for folder in ("bed", "_background_noise_", "yes", "misc"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.wav").write_bytes(src.read_bytes())
    got = {u.id.split("/")[0]: u.label for u in from_folder(tmp_path, LABELS)}
    assert got == {"bed": 0, "_background_noise_": 1, "yes": 2, "misc": None}
    digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    got = {u.id.split("/")[0]: u.label for u in from_folder(tmp_path, digits)}
    assert set(got.values()) == {None}
