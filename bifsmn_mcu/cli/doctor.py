"""``bifsmn-mcu doctor``: one line per external component, and the offline PlatformIO set-up."""

from __future__ import annotations

import click

from .. import doctor as checks
from .. import pio_offline


@click.command("doctor")
@click.option(
    "--offline-setup",
    is_flag=True,
    help="first provision PlatformIO's tool-scons from the pip-installed scons into "
    "$PLATFORMIO_CORE_DIR (or ~/.platformio), so `pio run` needs no registry",
)
def doctor(offline_setup: bool) -> None:
    """Check compilers, QEMU and its machines, PlatformIO, speech synthesis and torch.

    Exits with status 1 when a required component is missing; optional ones only warn.
    """
    if offline_setup:
        try:
            path = pio_offline.provision_tool_scons()
        except (pio_offline.PioOfflineError, OSError) as exc:
            raise click.ClickException(f"offline set-up failed: {exc}") from exc
        click.echo(f"provisioned {pio_offline.PACKAGE} {pio_offline.required_version()} in {path}")
    results = checks.run_checks()
    for c in results:
        click.echo(checks.format_check(c))
    failed = [c.name for c in results if c.failed]
    if failed:
        click.echo(f"missing required: {', '.join(failed)}", err=True)
        raise SystemExit(1)
    click.echo("all required components present")
