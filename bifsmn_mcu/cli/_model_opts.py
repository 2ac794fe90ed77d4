"""Options shared by export / generate / simulate / verify model / validate / demo."""

from __future__ import annotations

import click

from ..model import WIDTHS

width_option = click.option(
    "--width",
    "-w",
    type=click.Choice(WIDTHS),
    default="1",
    show_default=True,
    help="thin path: 8, 4, 2 or 1 D-FSMN blocks",
)
model_option = click.option(
    "--model",
    "-m",
    "model_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="model IR (.npz from `bifsmn-mcu export`); default: the shipped model",
)


split_option = click.option(
    "--split",
    type=click.Choice(["all", "train", "dev"]),
    default="all",
    show_default=True,
    help="with --data: every clip, or one side of training's speaker-disjoint split",
)


stream_mode_option = click.option(
    "--mode",
    type=click.Choice(["features", "pcm"]),
    default="features",
    show_default=True,
    help="send host features, or PCM chunks with the front end on the device",
)


def load_model(model_path: str | None):
    """(IR, path) or a one-line ClickException."""
    from ..model.default import resolve_model
    from ..model.errors import ModelError

    try:
        return resolve_model(model_path)
    except ModelError as e:
        raise click.ClickException(str(e)) from None


def check_width(ir, width: str) -> None:
    if width not in ir.widths:
        raise click.ClickException(f"width {width} is not in this model (it has {', '.join(ir.widths)})")
