"""``bifsmn-mcu train``: train the teacher, BiFSMNv2 or a baseline from a JSON config.

Multi-process: ``torchrun --nproc_per_node N -m bifsmn_mcu.cli.train --config ...`` (or
``torchrun ... $(which bifsmn-mcu) train ...``); gloo on CPU, nccl on GPUs.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from bifsmn_mcu.training.config import CONFIG_DIR


@click.command("train")
@click.option(
    "--config",
    "config",
    required=True,
    help="JSON config file, or a shipped name: "
    + ", ".join(sorted(p.stem for p in CONFIG_DIR.glob("*.json"))),
)
@click.option(
    "--data", "data", type=click.Path(), help="data root (a DIR/<label>/*.wav tree; FSDD folder for fsdd)"
)
@click.option(
    "--extra",
    "extra",
    multiple=True,
    type=click.Path(),
    help="extra training tree (synthetic corpus); repeatable",
)
@click.option("--noise", type=click.Path(), help="folder of background-noise WAVs for augmentation")
@click.option(
    "--cache", type=click.Path(), help="feature cache folder [default: ~/.cache/bifsmn-mcu/features]"
)
@click.option("--teacher", type=click.Path(), help="teacher checkpoint for distillation / initialisation")
@click.option(
    "--kd-teacher",
    "kd_teachers",
    multiple=True,
    type=click.Path(),
    help="another teacher checkpoint whose logits are averaged into the distillation targets; repeatable",
)
@click.option("--out", "out", type=click.Path(), help="run folder [default: runs/<config name>]")
@click.option("--epochs", type=int, help="override the number of epochs")
@click.option("--seed", type=int, help="override the seed")
@click.option("--init", "init", type=click.Path(), help="start from this checkpoint's weights (fine-tuning)")
@click.option(
    "--compile",
    "compile_step",
    is_flag=True,
    help="torch.compile the training step: about 2x the clips/s of the binary students on CPU (not for "
    "the teacher) after minutes of compilation; needs g++ and the Python headers",
)
@click.option(
    "--keep-epochs",
    type=int,
    help="also keep the last N epochs' checkpoints in OUT/epochs/ (for weight averaging)",
)
@click.option("--resume", is_flag=True, help="continue from OUT/last.pt at its saved epoch")
@click.option("--quiet", is_flag=True, help="no progress bars")
def train(
    config: str,
    data: str | None,
    extra: tuple[str, ...],
    noise: str | None,
    cache: str | None,
    teacher: str | None,
    kd_teachers: tuple[str, ...],
    out: str | None,
    epochs: int | None,
    seed: int | None,
    init: str | None,
    compile_step: bool,
    keep_epochs: int | None,
    resume: bool,
    quiet: bool,
) -> None:
    """Train a model; writes OUT/metrics.jsonl (dev accuracy of every path per epoch), OUT/last.pt
    (every epoch) and OUT/best.pt (best full-path dev accuracy with full >= 1/2 >= 1/4)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        raise click.ClickException("training needs PyTorch: pip install 'bifsmn-mcu[train]'") from None
    from bifsmn_mcu.audio import AudioError
    from bifsmn_mcu.data import DataError
    from bifsmn_mcu.training.checkpoint import CheckpointError
    from bifsmn_mcu.training.config import ConfigError, load_config
    from bifsmn_mcu.training.trainer import train as run

    try:
        cfg = load_config(config)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    d, t = cfg["data"], cfg["train"]
    if data:
        d["root"] = data
    if extra:
        d["extra_train"] = list(extra)
    if noise:
        d["noise"] = noise
    d["cache"] = cache or d.get("cache") or str(Path.home() / ".cache" / "bifsmn-mcu" / "features")
    if teacher:
        cfg["distill"]["teacher"] = teacher
    if kd_teachers:
        cfg["distill"]["kd_teachers"] = list(kd_teachers)
    if epochs is not None:
        t["epochs"] = epochs
    if seed is not None:
        t["seed"] = seed
    if init:
        t["init_checkpoint"] = init
    if keep_epochs is not None:
        if keep_epochs < 0:
            raise click.BadParameter("must be >= 0", param_hint="--keep-epochs")
        t["keep_epochs"] = keep_epochs
    if compile_step:
        from bifsmn_mcu.training.compiling import compile_toolchain_problem, unavailable_message

        problem = compile_toolchain_problem()
        if problem:
            raise click.ClickException(unavailable_message(problem))
        t["compile"] = True
    out_dir = Path(out) if out else Path("runs") / cfg["name"]
    if not Path(d["root"]).exists():
        raise click.ClickException(f"{d['root']}: no such data folder (pass --data DIR)")
    needs_teacher = cfg["distill"]["method"] != "none" or (
        cfg["model"].get("kind") == "student" and cfg["distill"].get("teacher")
    )
    if needs_teacher and not Path(str(cfg["distill"]["teacher"])).is_file():
        raise click.ClickException(
            f"{cfg['distill']['teacher']}: teacher checkpoint not found (pass --teacher FILE "
            "or train one with --config teacher)"
        )
    for extra_teacher in cfg["distill"].get("kd_teachers") or ():
        if not Path(str(extra_teacher)).is_file():
            raise click.ClickException(f"{extra_teacher}: teacher checkpoint not found (--kd-teacher)")
    try:
        summary = run(cfg, out_dir, resume=resume, progress=not quiet, log=click.echo)
    except (CheckpointError, DataError, AudioError, ValueError) as e:
        raise click.ClickException(str(e)) from None
    if summary["best"]:
        click.echo(json.dumps({"out": summary["out"], "best": summary["best"]}))


if __name__ == "__main__":  # torchrun --nproc_per_node 2 -m bifsmn_mcu.cli.train ...
    train()
