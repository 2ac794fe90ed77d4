"""``bifsmn-mcu simulate``: the generated C built with host gcc, run over clips, reported."""

from __future__ import annotations

from pathlib import Path

import click

from ._model_opts import check_width, load_model, model_option, split_option, width_option


@click.command()
@model_option
@width_option
@click.option("--data", "data_dir", type=click.Path(file_okay=False), help="folder-per-label tree of WAVs")
@click.option("--wav", "wavs", type=click.Path(dir_okay=False), multiple=True, help="WAV file (repeatable)")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="write JSON, Markdown and the confusion-matrix PNG here",
)
@click.option(
    "--input",
    "mode",
    type=click.Choice(["pcm", "features"]),
    default="pcm",
    show_default=True,
    help="pcm: through the C front end; features: numpy features into the C network",
)
@split_option
@click.option("--limit", type=int, default=None, help="use at most N clips (spread over the classes)")
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False),
    default=None,
    help="PyTorch checkpoint for top-1 agreement (default: the one beside the IR, if any)",
)
@click.option("--sanitize", is_flag=True, help="build with AddressSanitizer + UndefinedBehaviorSanitizer")
def simulate(model_path, width, data_dir, wavs, report_dir, mode, split, limit, checkpoint, sanitize) -> None:
    """Run the generated C on the host over --data DIR or --wav FILE... and report accuracy."""
    from ..frontend.config import FeatureConfig
    from ..model.default import companion_checkpoint
    from ..model.errors import ModelError
    from ..simulate.dataset import DatasetError, load_data_dir, load_wavs
    from ..simulate.host import SimulationError
    from ..simulate.report import write_report
    from ..simulate.run import simulate as run
    from ..toolchain import ToolchainError

    if bool(data_dir) == bool(wavs):
        raise click.ClickException("give exactly one of --data DIR or --wav FILE...")
    ir, path = load_model(model_path)
    check_width(ir, width)
    cfg = FeatureConfig.from_dict(ir.header["feature_config"])
    try:
        inputs = (
            load_data_dir(data_dir, ir.labels, cfg, limit, split=split)
            if data_dir
            else load_wavs(list(wavs), ir.labels, cfg)
        )
    except DatasetError as e:
        raise click.ClickException(str(e)) from None
    ckpt = Path(checkpoint) if checkpoint else companion_checkpoint(path, ir)
    try:
        rep, cm = run(ir, width, inputs, mode=mode, checkpoint=ckpt, sanitize=sanitize)
    except (ToolchainError, SimulationError, ModelError) as e:
        raise click.ClickException(str(e).splitlines()[0]) from None
    n = rep["n"]
    click.echo(f"width {width}, {n} clips ({mode}), model {ir.sha256[:16]}...")
    if rep["accuracy"] is not None:
        click.echo(f"  top-1 accuracy        {100 * rep['accuracy']:.2f} %")
    click.echo(f"  C == integer reference {rep['intref_identical']}/{n} clips (logits)")
    if rep["frontend_identical"] is not None:
        click.echo(f"  C front end == numpy   {rep['frontend_identical']}/{n} clips (features)")
    if rep.get("torch"):
        t = rep["torch"]
        extra = ""
        if t.get("accuracy") is not None:
            diff = t["accuracy_difference_points"]
            extra = f" (PyTorch accuracy {100 * t['accuracy']:.2f} %, C - PyTorch {diff:+.2f} points)"
        click.echo(f"  PyTorch top-1 agreement {100 * t['agreement']:.2f} %{extra}")
    mem = rep["memory"]
    click.echo(
        f"  planned flash {mem['flash']} B (model {mem['model_flash']} B, {mem['compression']}x smaller "
        f"than float32), RAM {mem['ram']} B"
    )
    if not data_dir:
        labels = ir.labels
        for name, p in zip(inputs.names, rep["predictions"], strict=True):
            click.echo(f"  {name}: {labels[p]}")
    if report_dir:
        paths = write_report(rep, cm, ir.labels, Path(report_dir))
        click.echo("  report: " + ", ".join(str(p) for p in paths.values()))
    if rep["intref_identical"] != n or (rep["frontend_identical"] not in (None, n)):
        raise click.ClickException("host C differs from the Python reference (see above)")
