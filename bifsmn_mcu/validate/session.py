"""One validation run end to end (used by ``bifsmn-mcu validate`` and ``bifsmn-mcu demo``)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..frontend.config import FeatureConfig
from ..protocol.client import DeviceClient
from ..transport import open_transport
from ..transport.base import TransportError
from .elf_size import elf_memory
from .inputs import Utterance
from .report import markdown, write_report
from .results import ResultsError, ResultsWriter, check_resumable, load_results, run_stamp
from .runner import RunAborted, ValidationError, handshake, run_utterances, select_width
from .summary import summarize


@dataclass
class ValidateOptions:
    port: str
    utterances: list[Utterance]
    mode: str = "features"
    report_dir: Path = Path("runs/validate")
    resume: Path | None = None
    overwrite: bool = False  # start a fresh results.jsonl even if one holds results
    width: str | None = None
    elf: Path | None = None
    project: Path | None = None
    timeout: float = 5.0
    retries: int = 2
    progress: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ValidateOutcome:
    summary: dict[str, Any]
    markdown: str
    files: list[Path]
    results: Path


class Interrupted(RunAborted):
    """Ctrl-C mid-run: the report of the results so far is written (``files``)."""

    def __init__(self, message: str, files: list[Path]) -> None:
        super().__init__(message)
        self.files = files


def _check_fresh(results: Path) -> None:
    n = len(load_results(results))
    if n:
        raise ResultsError(
            f"{results} already holds {n} results: pass --resume {results} to continue that run, "
            "--overwrite to start again, or another --report folder"
        )


# PlatformIO's default program name (the local QEMU/host platform), and the official platforms' one
ELF_NAMES = ("program.elf", "firmware.elf")


def elf_for(opts: ValidateOptions, info: dict[str, Any]) -> Path | None:
    """The firmware ELF for flash/RAM: --elf, else the project's build of the device's board."""
    if opts.elf:
        return opts.elf
    if opts.project and info.get("board") and info.get("board") != "host":
        build = opts.project / ".pio" / "build" / str(info["board"])
        return next((build / n for n in ELF_NAMES if (build / n).is_file()), None)
    return None


def validate(ir: Any, opts: ValidateOptions, host: Any = None) -> ValidateOutcome:
    """Raises ValidationError / RunAborted (LinkLost, Interrupted) / ResultsError with one-line messages.

    Refuses to start over a results file that holds results unless ``resume`` or ``overwrite``.
    Ctrl-C mid-run writes the report of the results so far, then raises Interrupted.

    ``host``: a built ``simulate.host.HostModel`` of the device's width, reused across runs (else
    one is built for this run)."""
    from ..simulate.host import HostModel

    results = opts.resume or (opts.report_dir / "results.jsonl")
    if opts.resume is None and not opts.overwrite:
        _check_fresh(results)
    try:
        client = DeviceClient(
            open_transport(opts.port, open_timeout=opts.timeout), timeout=opts.timeout, retries=opts.retries
        )
    except TransportError as err:
        raise ValidationError(str(err)) from err
    new: list[dict[str, Any]] = []
    interrupted = False
    try:
        done = load_results(results) if opts.resume else {}
        # resuming without --width: the path the results were measured on (a multi-path device is switched)
        measured = next((str(r["width"]) for r in done.values() if "width" in r), None)
        why = "--width asks for" if opts.width or measured is None else f"{results} was measured on width"
        info = select_width(client, handshake(client, ir.sha256), opts.width or measured, why)
        width = str(info["width"])
        stamp = run_stamp(info, width)
        check_resumable(done, model_sha256=ir.sha256, mode=opts.mode, path=results, stamp=stamp)
        pending = [u for u in opts.utterances if u.id not in done]
        cfg = FeatureConfig.from_dict(ir.header["feature_config"])
        writer = ResultsWriter(results, fresh=opts.resume is None)
        try:
            with tempfile.TemporaryDirectory(prefix="bifsmn-validate-") as tmp:
                sim = host or HostModel.build(ir, width=width, workdir=Path(tmp))
                run_utterances(
                    client,
                    sim,
                    pending,
                    mode=opts.mode,
                    cfg=cfg,
                    labels=ir.labels,
                    model_sha256=ir.sha256,
                    writer=writer,
                    stamp=stamp,
                    progress=opts.progress,
                    on_result=new.append,
                )
        except KeyboardInterrupt:
            interrupted = True
        finally:
            writer.close()
    finally:
        client.close()
    all_done = load_results(results)
    records = [all_done[u.id] for u in opts.utterances if u.id in all_done]
    elf = elf_for(opts, info)
    flash, ram = elf_memory(elf) if elf else (None, None)
    summary = summarize(records, {**info, "width": width}, flash_bytes=flash, ram_bytes=ram, mode=opts.mode)
    summary["link"] = client.link_stats()  # this session's link, not the resumed part's
    summary["results_file"] = str(results)
    summary["elf"] = str(elf) if elf else None
    if interrupted:
        files = write_report(records, summary, opts.report_dir) if records else []
        reported = f"; report of those: {', '.join(str(f) for f in files)}" if files else ""
        tally = f"{len(records)} of {len(opts.utterances)} done"
        raise Interrupted(f"interrupted after {len(new)} utterances ({tally}{reported})", files)
    files = write_report(records, summary, opts.report_dir)
    return ValidateOutcome(summary, markdown(summary), files, results)
