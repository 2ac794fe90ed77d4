"""Host simulation: the generated C built with the host compiler and run over many clips."""
