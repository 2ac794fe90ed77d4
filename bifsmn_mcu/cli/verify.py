"""``bifsmn-mcu verify``: prove the C code equals the Python integer reference, bit for bit."""

from __future__ import annotations

import importlib

import click

# subcommand -> "module:attribute" under bifsmn_mcu.cli, imported lazily
_SUBCOMMANDS = {
    "frontend": ("verify_frontend:frontend", "C front end == numpy reference on WAV clips"),
    "model": ("verify_model:model", "host-C network logits == integer reference logits"),
}


class _LazyVerify(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _SUBCOMMANDS:
            return None
        module, attr = _SUBCOMMANDS[name][0].split(":")
        return getattr(importlib.import_module(f"bifsmn_mcu.cli.{module}"), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(n, _SUBCOMMANDS[n][1]) for n in self.list_commands(ctx)])


@click.group(cls=_LazyVerify)
def verify() -> None:
    """Bit-exact checks of generated/hand-written C against the Python reference."""
