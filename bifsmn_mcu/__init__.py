"""bifsmn-mcu: BiFSMNv2 binary keyword spotting on Cortex-M microcontrollers."""

__version__ = "0.1.0"
