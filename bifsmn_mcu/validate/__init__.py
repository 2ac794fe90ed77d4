"""On-target validation: device results vs the host simulation of the same generated C."""
