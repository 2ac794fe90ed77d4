"""SerialTransport over loop://: bytes come back, idle reads wait, the port stays configured."""

from __future__ import annotations

import time

from bifsmn_mcu.transport.serial_port import SerialTransport


def test_loop_read_returns_what_was_written() -> None:
    t = SerialTransport("loop://")
    try:
        t.write(b"\xa5hello")
        got = b""
        deadline = time.monotonic() + 2.0
        while len(got) < 6 and time.monotonic() < deadline:
            got += t.read(0.5)
        assert got == b"\xa5hello"
    finally:
        t.close()


def test_idle_read_waits_about_the_timeout_and_keeps_the_port_timeout() -> None:
    t = SerialTransport("loop://")
    try:
        poll = t._port.timeout
        start = time.monotonic()
        assert t.read(0.3) == b""
        waited = time.monotonic() - start
        assert 0.3 <= waited < 1.5
        assert t.read(0.0) == b""
        # a real serial port is reconfigured (termios) whenever its timeout changes
        assert t._port.timeout == poll
    finally:
        t.close()
