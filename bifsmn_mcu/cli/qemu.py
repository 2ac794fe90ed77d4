"""``bifsmn-mcu qemu stop|status``: manage the QEMU that ``pio run -t upload`` started."""

from __future__ import annotations

from pathlib import Path

import click

from ..qemu import QemuError, is_running, pid_file_for, read_pid_file, stop_qemu


def _pid_file(project: Path, env: str, pid_file: Path | None) -> Path:
    return pid_file if pid_file else pid_file_for(project, env)


@click.group("qemu")
def qemu() -> None:
    """Emulated boards started by `pio run -e qemu-* -t upload --upload-port PORT`."""


_opts = [
    click.option(
        "--project",
        "-d",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("."),
        show_default=True,
        help="generated PlatformIO project",
    ),
    click.option("--env", "-e", default="qemu-m4", show_default=True, help="PlatformIO env"),
    click.option(
        "--pid-file",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="pid file (default: <project>/.pio/build/<env>/qemu.pid)",
    ),
]


def _with_opts(f):
    for o in reversed(_opts):
        f = o(f)
    return f


@qemu.command("stop")
@_with_opts
def stop(project: Path, env: str, pid_file: Path | None) -> None:
    """Stop the QEMU of an env (SIGTERM to its process group, SIGKILL after 5 s)."""
    path = _pid_file(project, env, pid_file)
    try:
        was = stop_qemu(path)
    except QemuError as err:
        raise click.ClickException(str(err)) from err
    click.echo("QEMU stopped" if was else "QEMU was not running (stale pid file removed)")


@qemu.command("status")
@_with_opts
def status(project: Path, env: str, pid_file: Path | None) -> None:
    """Say whether the QEMU of an env runs, and on which port."""
    try:
        pid, port = read_pid_file(_pid_file(project, env, pid_file))
    except QemuError as err:
        raise click.ClickException(str(err)) from err
    state = "running" if is_running(pid) else "not running"
    click.echo(f"QEMU pid {pid} {state}; serial socket://127.0.0.1:{port}")
