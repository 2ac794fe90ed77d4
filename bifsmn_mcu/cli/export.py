"""``bifsmn-mcu export CHECKPOINT -o MODEL.npz``: checkpoint -> bit-packed integer model IR."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("checkpoint", type=click.Path(dir_okay=False))
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), required=True, help="model IR to write (.npz)"
)
def export(checkpoint: str, output: str) -> None:
    """Fold a trained checkpoint into the integer model IR (all thin paths)."""
    from ..codegen.render import plan_memory
    from ..model.errors import ModelError
    from ..model.from_checkpoint import export_checkpoint
    from ..model.ir import save_ir

    if not Path(checkpoint).is_file():
        raise click.ClickException(f"{checkpoint}: no such checkpoint file")
    try:
        ir = export_checkpoint(checkpoint)
        path = save_ir(ir, output)
    except ModelError as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        raise click.ClickException(f"cannot write {output}: {e.strerror or e}") from None
    click.echo(f"wrote {path} ({path.stat().st_size} bytes), sha256 {ir.sha256}")
    for w in ir.widths:
        p = plan_memory(ir, w)
        click.echo(
            f"  width {w:>3}: {len(ir.blocks(w))} blocks, model data {p.model_flash} B "
            f"({p.compression:.1f}x smaller than float32 {p.float32_bytes} B)"
        )
