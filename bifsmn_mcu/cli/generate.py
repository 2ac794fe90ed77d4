"""``bifsmn-mcu generate``: C model library for one width or several (+ the PlatformIO project)."""

from __future__ import annotations

import click

from ..boards import default_board, load_boards
from ._model_opts import load_model, model_option


@click.command()
@model_option
@click.option(
    "--width",
    "-w",
    default="1",
    show_default=True,
    metavar="W[,W...]|all",
    help="thin path (1, 1/2, 1/4, 1/8: 8, 4, 2 or 1 D-FSMN blocks), or several comma-separated "
    "(or all) embedded in one firmware and switched at run time (kws_set_width); the first runs after boot",
)
@click.option(
    "--board",
    "-b",
    type=click.Choice(list(load_boards())),
    default=default_board(),
    show_default=True,
    help="board of the table (bifsmn_mcu/boards.json): platformio.ini's default env; every board gets an env",
)
@click.option(
    "--out", "-o", "out_dir", type=click.Path(), default="out", show_default=True, help="output folder"
)
@click.option("--prefix", "-p", default="kws", show_default=True, help="C symbol prefix (a C identifier)")
@click.option(
    "--kernels",
    type=click.Choice(["fast", "portable"]),
    default="fast",
    show_default=True,
    help="fast: optimised kernels picked per core by compiler feature macros; portable: plain C99 reference",
)
@click.option(
    "--force",
    is_flag=True,
    help="overwrite OUT even if it was not written by generate or its generated files were edited",
)
def generate(
    model_path: str | None, width: str, board: str, out_dir: str, prefix: str, kernels: str, force: bool
) -> None:
    """Render the model C for WIDTH into OUT/lib/PREFIX/ and the project around it.

    With several widths the blocks are stored once (the paths are nested); each extra path adds its
    fc2 BatchNorm/PReLU constants only (the last row of the memory table, named by the list).

    OUT may be new, empty, or an unmodified earlier output of generate (OUT/.bifsmn-generated.json
    lists the files and their sha256); anything else is refused unless --force. OUT/.pio is kept.
    """
    from ..codegen.errors import CodegenError
    from ..codegen.generate import generate as run
    from ..codegen.render import plan_memory
    from ..codegen.widths import build_widths, width_spec

    ir, path = load_model(model_path)
    try:
        widths = build_widths(ir, width)
        width = width_spec(widths)
        res = run(ir, width=width, prefix=prefix, out_dir=out_dir, board=board, kernels=kernels, force=force)
    except CodegenError as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        where = f"move {e.filename} to {e.filename2}" if e.filename2 else f"write {e.filename or out_dir}"
        raise click.ClickException(f"cannot {where}: {e.strerror or e}; {out_dir} is unchanged") from None
    click.echo(
        f"model {path.name} sha256 {ir.sha256[:16]}..., width {width}, prefix {prefix}, kernels {kernels}"
    )
    click.echo(
        f"wrote {res.lib_dir} ({len(res.files)} files)"
        + (f" and the PlatformIO project in {res.out_dir} (board {board})" if res.project else "")
    )
    click.echo("planned memory in bytes (const data and static buffers; code size comes from the ELF);")
    click.echo("'smaller' = float32 params / model data; 'weights' = float32 weights / packed + int8 weights")
    rows = list(ir.widths) + ([width] if len(widths) > 1 else [])
    col = max(len(w) for w in rows + ["width"])
    click.echo(
        f"  {'width':>{col}} {'flash model':>12} {'flash fe':>9} {'RAM model':>10} {'RAM fe':>7} "
        f"{'float32':>9} {'smaller':>8} {'weights':>8}"
    )
    for w in rows:
        p = plan_memory(ir, w, prefix, kernels)
        mark = " <-" if w == width else ""
        click.echo(
            f"  {w:>{col}} {p.model_flash:>12} {p.frontend_flash:>9} {p.model_ram:>10} {p.frontend_ram:>7} "
            f"{p.float32_bytes:>9} {p.compression:>7.1f}x {p.weight_compression:>7.1f}x{mark}"
        )
