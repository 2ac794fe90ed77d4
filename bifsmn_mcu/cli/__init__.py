"""The ``bifsmn-mcu`` command line.

Subcommands live one per module in this package and are imported lazily, so that
``bifsmn-mcu doctor`` does not pay for numpy and nothing on the deploy path imports torch.
Register a command by adding one line to ``COMMANDS``: name -> ("module:attribute", help).
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    # name: ("module:attribute" under bifsmn_mcu.cli, one-line help shown by --help)
    "verify": ("verify:verify", "bit-exact checks: C front end / C model vs the Python reference"),
    "export": ("export:export", "checkpoint -> bit-packed integer model IR (.npz, all thin paths)"),
    "generate": ("generate:generate", "C model library for one width + PlatformIO project; flash/RAM plan"),
    "simulate": ("simulate:simulate", "generated C on the host over WAVs: accuracy, agreement, report"),
    "qemu": ("qemu:qemu", "stop / inspect the QEMU board started by `pio run -t upload`"),
    "validate": ("validate:validate", "utterances on a device over serial: accuracy, host agreement, cycles"),
    "demo": ("demo:demo", "the main job: generate, build, run in QEMU (M4), validate samples"),
    "data": ("data:data", "keyword data: synthetic corpus (espeak-ng, flite), folder summary"),
    "features": ("features:features", "fixed-point log-mel features of a WAV: summary, .npy, PNG plot"),
    "train": ("train:train", "train the teacher, BiFSMNv2 or a baseline from a config (torchrun for DDP)"),
    "evaluate": ("evaluate:evaluate", "accuracy of a checkpoint on a labelled folder, every thin path"),
    "doctor": ("doctor:doctor", "check compilers, QEMU, PlatformIO, TTS, torch; --offline-setup"),
    "bench": ("bench:bench", "exact instructions, flash, RAM per core, width, kernel variant"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bifsmn-mcu")
def main() -> None:
    """BiFSMNv2 binary keyword spotting on Cortex-M: train, export, generate C, build, validate."""
