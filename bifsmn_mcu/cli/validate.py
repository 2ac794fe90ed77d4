"""``bifsmn-mcu validate``: run utterances on a device over serial and compare with the host."""

from __future__ import annotations

from pathlib import Path

import click

from ._model_opts import model_option, stream_mode_option


@click.command("validate")
@click.option(
    "--port", required=True, help="device link: /dev/ttyACM0, socket://127.0.0.1:PORT, host:PROGRAM"
)
@click.option(
    "--data", "data_dir", type=click.Path(path_type=Path), help="folder with one sub-folder per label"
)
@click.option(
    "--wav", "wavs", type=click.Path(path_type=Path), multiple=True, help="WAV file(s) (repeatable)"
)
@stream_mode_option
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="at most N utterances (classes round-robin)"
)
@click.option(
    "--resume",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="JSONL results file: skip the utterances it holds, append the rest",
)
@click.option(
    "--overwrite", is_flag=True, help="start afresh even if the --report folder's results.jsonl holds results"
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("runs/validate"),
    show_default=True,
    help="folder for report.json/.md/.png",
)
@model_option
@click.option(
    "--width",
    default=None,
    help="thin path to validate (default: the one the device runs); a firmware built with several paths "
    "(generate --width 1,1/4) is switched to it",
)
@click.option(
    "--project",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="generated PlatformIO project (for flash/RAM from the ELF)",
)
@click.option("--elf", type=click.Path(path_type=Path, dir_okay=False), default=None, help="firmware ELF")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    help="seconds per reply",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="resends after a timeout or a damaged frame",
)
@click.option("--no-progress", is_flag=True, help="no progress bar")
def validate(
    port: str,
    data_dir: Path | None,
    wavs: tuple[Path, ...],
    mode: str,
    limit: int | None,
    resume: Path | None,
    overwrite: bool,
    report_dir: Path,
    model_path: str | None,
    width: str | None,
    project: Path,
    elf: Path | None,
    timeout: float,
    retries: int,
    no_progress: bool,
) -> None:
    """Accuracy, bit-exact agreement with the host simulation, cycles and memory, measured on the device."""
    from ..codegen.errors import CodegenError
    from ..model.default import resolve_model
    from ..model.errors import IRError
    from ..simulate.host import SimulationError
    from ..toolchain import ToolchainError
    from ..validate.inputs import InputError, from_files, from_folder
    from ..validate.results import ResultsError
    from ..validate.runner import LinkLost, RunAborted, ValidationError
    from ..validate.session import Interrupted, ValidateOptions
    from ..validate.session import validate as run_validate

    if bool(data_dir) == bool(wavs):
        raise click.UsageError("give exactly one of --data DIR or --wav FILE...")
    if resume and overwrite:
        raise click.UsageError("--resume continues a results file, --overwrite starts afresh: give one")
    try:
        ir, _ = resolve_model(model_path)
        utts = (
            from_folder(data_dir, ir.labels, limit) if data_dir else from_files(list(wavs), ir.labels, limit)
        )
        opts = ValidateOptions(
            port=port,
            utterances=utts,
            mode=mode,
            report_dir=report_dir,
            resume=resume,
            overwrite=overwrite,
            width=width,
            elf=elf,
            project=project,
            timeout=timeout,
            retries=retries,
            progress=not no_progress,
        )
        out = run_validate(ir, opts)
    except RunAborted as err:
        target = resume or report_dir / "results.jsonl"
        restart = "restart the device and " if isinstance(err, LinkLost) else ""
        fail = click.ClickException(
            f"{err}. Results so far are in {target}; {restart}rerun with --resume {target}"
        )
        if isinstance(err, Interrupted):
            fail.exit_code = 130  # as a shell reports SIGINT
        raise fail from err
    except KeyboardInterrupt:
        fail = click.ClickException("interrupted before the first utterance; nothing was written")
        fail.exit_code = 130
        raise fail from None
    except (
        CodegenError,
        IRError,
        InputError,
        ResultsError,
        ValidationError,
        SimulationError,
        ToolchainError,
    ) as err:
        raise click.ClickException(str(err)) from err
    click.echo(out.markdown)
    click.echo(f"report: {', '.join(str(f) for f in out.files)}; results: {out.results}")
