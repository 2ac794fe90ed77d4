"""SCons builder of the bifsmn-mcu local dev-platform.

Board JSONs carry ``build.bifsmn``: {"kind": "qemu"|"host", "cpu_flags": [...], "defines": [...],
"ldscript": "mps2.ld", "qemu_machine": "mps2-an386"}. Toolchains come from PATH
(Debian ``gcc-arm-none-eabi`` / ``gcc``). ``-t upload --upload-port PORT`` starts QEMU in the
background with the board UART on ``tcp:127.0.0.1:PORT`` and ``-icount shift=N,sleep=off``
(SysTick then counts instructions deterministically), under ``timeout``; the pid goes to
``$BUILD_DIR/qemu.pid``. Stop it with ``bifsmn-mcu qemu stop --pid-file ...``.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from os.path import join

from SCons.Script import AlwaysBuild, Default, DefaultEnvironment

env = DefaultEnvironment()
board = env.BoardConfig()
cfg = board.get("build.bifsmn")
kind = cfg["kind"]
ld_dir = join(env.subst("$PROJECT_DIR"), "ld")
warn = ["-Wall", "-Wextra", "-Werror"]

if kind == "qemu":
    for tool in ("arm-none-eabi-gcc", "qemu-system-arm"):
        if shutil.which(tool) is None:
            sys.stderr.write(
                f"Error: {tool} not found on PATH (apt-get install gcc-arm-none-eabi "
                "libnewlib-arm-none-eabi qemu-system-arm)\n"
            )
            env.Exit(1)
    env.Replace(
        AR="arm-none-eabi-ar",
        AS="arm-none-eabi-as",
        CC="arm-none-eabi-gcc",
        CXX="arm-none-eabi-g++",
        # the QEMU firmware is C: link with gcc. SCons would pick g++ because src/ holds the Arduino
        # BSP (a .cpp that compiles to nothing here), and g++ with nano.specs needs libstdc++_nano,
        # which Debian ships in a separate package (libstdc++-arm-none-eabi-newlib)
        LINK="arm-none-eabi-gcc",
        GDB="arm-none-eabi-gdb",
        OBJCOPY="arm-none-eabi-objcopy",
        RANLIB="arm-none-eabi-ranlib",
        SIZETOOL="arm-none-eabi-size",
        PROGSUFFIX=".elf",
        SIZEPROGREGEXP=r"^(?:\.text|\.data|\.ARM\.exidx)\s+(\d+).*",
        SIZEDATAREGEXP=r"^(?:\.data|\.bss)\s+(\d+).*",
        SIZECHECKCMD="$SIZETOOL -A -d $SOURCES",
        SIZEPRINTCMD="$SIZETOOL -B -d $SOURCES",
    )
    cpu = list(cfg["cpu_flags"])
    env.Append(
        ASFLAGS=cpu,
        CCFLAGS=cpu + warn + ["-O2", "-ffunction-sections", "-fdata-sections"],
        CFLAGS=["-std=c99"],
        LINKFLAGS=cpu
        + [
            "-nostartfiles",
            "--specs=nano.specs",
            "--specs=nosys.specs",
            "-Wl,--gc-sections",
            "-L" + ld_dir,
            "-T",
            join(ld_dir, cfg["ldscript"]),
        ],
        LIBS=["c_nano", "gcc"],
        CPPDEFINES=list(cfg["defines"]),
    )
    # the INFO reply carries the -icount shift the upload uses: host converts SysTick -> instructions
    env.Append(
        CPPDEFINES=[("BIFSMN_ICOUNT_SHIFT", str(env.GetProjectOption("custom_qemu_icount_shift", "3")))]
    )
else:
    if shutil.which("gcc") is None:
        sys.stderr.write("Error: gcc not found on PATH (apt-get install gcc)\n")
        env.Exit(1)
    env.Replace(CC="gcc", CXX="g++", AR="ar", RANLIB="ranlib", PROGSUFFIX="", SIZETOOL=None)
    env.Append(CCFLAGS=warn + ["-O2"], CFLAGS=["-std=c99"], CPPDEFINES=list(cfg["defines"]), LIBS=["m"])

target_elf = env.BuildProgram()
Default([target_elf])
if kind == "qemu":
    AlwaysBuild(env.Alias("size", target_elf, env.VerboseAction("$SIZEPRINTCMD", "Program size")))


def _port_listening(port):
    """True once something LISTENs on 127.0.0.1:port (read /proc, no probe connection)."""
    want = f":{port:04X}"
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as fh:
                for line in fh.readlines()[1:]:
                    parts = line.split()
                    if parts[1].endswith(want) and parts[3] == "0A":
                        return True
        except OSError:
            pass
    if not os.path.exists("/proc/net/tcp"):
        with socket.socket() as s:  # non-Linux fallback
            return s.connect_ex(("127.0.0.1", port)) == 0
    return False


def _stop_old(pid_file):
    try:
        with open(pid_file) as fh:
            pid = int(fh.read().split()[0])
        os.killpg(pid, signal.SIGTERM)
        time.sleep(0.2)
    except (OSError, ValueError, IndexError):
        pass


def upload_qemu(target, source, env):
    # --upload-port wins; a bare `pio run -t upload` uses the env's custom_qemu_port
    port_text = env.subst("$UPLOAD_PORT") or str(env.GetProjectOption("custom_qemu_port", ""))
    m = re.search(r"(\d+)$", port_text)
    if not m:
        sys.stderr.write("Error: emulated UART port missing: --upload-port PORT (or custom_qemu_port)\n")
        return 1
    port = int(m.group(1))
    elf = str(source[0])
    build_dir = env.subst("$BUILD_DIR")
    pid_file = join(build_dir, "qemu.pid")
    log_file = join(build_dir, "qemu.log")
    _stop_old(pid_file)
    timeout_s = str(env.GetProjectOption("custom_qemu_timeout", "3600"))
    shift = str(env.GetProjectOption("custom_qemu_icount_shift", "3"))
    cmd = [
        "timeout",
        "--signal=TERM",
        timeout_s,
        "qemu-system-arm",
        "-M",
        cfg["qemu_machine"],
        "-nographic",
        "-monitor",
        "none",
        "-kernel",
        elf,
        "-serial",
        f"tcp:127.0.0.1:{port},server=on,wait=off,nodelay=on",
        "-icount",
        f"shift={shift},sleep=off",
    ]
    with open(log_file, "w") as log:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    with open(pid_file, "w") as fh:
        fh.write(f"{proc.pid} {port}\n")
    deadline = time.time() + 10
    while time.time() < deadline:
        if proc.poll() is not None:
            with open(log_file) as fh:
                sys.stderr.write(f"Error: QEMU exited at start ({proc.returncode}):\n{fh.read()}\n")
            return 1
        if _port_listening(port):
            print(
                f"QEMU {cfg['qemu_machine']} running (pid {proc.pid}, timeout {timeout_s} s): "
                f"serial on socket://127.0.0.1:{port}"
            )
            print(f"pid file: {pid_file}")
            return 0
        time.sleep(0.05)
    sys.stderr.write(f"Error: QEMU did not open port {port} within 10 s (see {log_file})\n")
    return 1


def upload_host(target, source, env):
    print(f"host build: run {source[0]} (stdin/stdout carry the protocol)")
    return 0


AlwaysBuild(env.Alias("upload", target_elf, upload_qemu if kind == "qemu" else upload_host))
