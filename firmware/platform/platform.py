"""bifsmn-mcu local dev-platform: QEMU Cortex-M machines and the host, no registry packages."""

from platformio.public import PlatformBase


class BifsmnPlatform(PlatformBase):
    pass
