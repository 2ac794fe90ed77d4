"""``bifsmn-mcu demo``: the README main job, offline.

generate the shipped model for the QEMU M4 board -> ``pio run -e qemu-m4 -t upload --upload-port P``
(QEMU starts with the UART on socket://127.0.0.1:P) -> validate over the socket on the sample
utterances shipped with the package (plus up to --limit clips of ../shared/data when present)
-> print the report (accuracy, agreement, instructions per inference, flash/RAM) -> stop QEMU.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from ._model_opts import model_option, stream_mode_option, width_option

ENV = "qemu-m4"


def shared_data_dir() -> Path | None:
    """../shared/data (speech commands part) next to the working directory or the checkout, if present."""
    cands = [Path(os.environ["BIFSMN_SHARED_DATA"])] if os.environ.get("BIFSMN_SHARED_DATA") else []
    cands += [Path.cwd().parent / "shared" / "data", Path(__file__).resolve().parents[3] / "shared" / "data"]
    for c in cands:
        if (c / "speech_commands_v0.02_part").is_dir():
            return c / "speech_commands_v0.02_part"
    return None


def _headline(label: str, s: dict) -> str:
    unit = s["counter"]["unit"]
    acc = "n/a" if s["accuracy"] is None else f"{100 * s['accuracy']:.1f} %"
    fe = s["cycles"].get("frontend", {}).get("median")
    return (
        f"{label}: n={s['n']}  accuracy {acc}  agreement {100 * (s['agreement'] or 0):.1f} %  "
        f"{unit} per inference (median): network {s['cycles']['network']['median']:,}"
        + (f", front end {fe:,}" if fe is not None else "")
        + f"  flash {s['flash_bytes']:,} B  RAM {s['ram_bytes']:,} B"
    )


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("runs/demo"),
    show_default=True,
    help="work folder: generated project and reports",
)
@model_option
@width_option
@click.option("--port", type=int, default=None, help="TCP port for the emulated UART (default: a free one)")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="clips of ../shared/data to add when present (0: samples only)",
)
@stream_mode_option
@click.option("--keep-running", is_flag=True, help="leave QEMU running after the report")
@click.option(
    "--force",
    is_flag=True,
    help="regenerate OUT/project even if it holds files generate did not write or edited ones",
)
def demo(
    out: Path,
    model_path: str | None,
    width: str,
    port: int | None,
    limit: int,
    mode: str,
    keep_running: bool,
    force: bool,
) -> None:
    """Generate, build, upload into QEMU (Cortex-M4) and validate on the shipped sample utterances."""
    from ..codegen.errors import CodegenError
    from ..codegen.generate import generate
    from ..model.default import resolve_model
    from ..model.errors import IRError
    from ..project.pio import PioError, default_core_dir, free_port, upload_qemu
    from ..qemu import QemuError, pid_file_for, stop_qemu
    from ..resources import samples_dir
    from ..simulate.host import HostModel, SimulationError
    from ..toolchain import ToolchainError
    from ..validate.inputs import InputError, from_folder
    from ..validate.runner import ValidationError
    from ..validate.session import ValidateOptions, validate

    project = out / "project"
    pid_file = pid_file_for(project, ENV)
    try:
        ir, ir_path = resolve_model(model_path)
        click.echo(f"[1/4] generate {ir_path.name} (sha256 {ir.sha256[:12]}..., width {width}) -> {project}")
        generate(ir, width=width, prefix="kws", out_dir=project, board=ENV, force=force)
        port = port or free_port()
        click.echo(
            f"[2/4] pio run -e {ENV} -t upload --upload-port {port}   (PlatformIO core: {default_core_dir()})"
        )
        upload_qemu(project, ENV, port, default_core_dir())
        url = f"socket://127.0.0.1:{port}"
        runs = [("samples", from_folder(samples_dir(), ir.labels))]
        data = shared_data_dir()
        if data is not None and limit:
            runs.append(("shared data", from_folder(data, ir.labels, limit)))
        lines = []
        host = HostModel.build(ir, width=width, workdir=out / "sim")  # one host build for every run
        for i, (name, utts) in enumerate(runs):
            click.echo(f"[3/4] validate --port {url} on {len(utts)} {name} clips ({mode} mode)")
            res = validate(
                ir,
                ValidateOptions(
                    port=url,
                    utterances=utts,
                    mode=mode,
                    width=width,
                    project=project,
                    report_dir=out / f"report-{name.replace(' ', '-')}",
                    overwrite=True,  # a demo run starts afresh
                ),
                host=host,
            )
            if i == 0:
                click.echo(res.markdown)
            lines.append(_headline(name, res.summary))
            lines.append(f"    report: {res.files[1]}")
        click.echo("[4/4] summary")
        for line in lines:
            click.echo("  " + line)
    except (
        IRError,
        CodegenError,
        PioError,
        InputError,
        ValidationError,
        SimulationError,
        ToolchainError,
        QemuError,
    ) as err:
        raise click.ClickException(str(err)) from err
    finally:
        if not keep_running and pid_file.is_file():
            stop_qemu(pid_file)
    if keep_running:
        click.echo(f"QEMU still running on {url}; stop it with: bifsmn-mcu qemu stop -d {project}")
