"""C generation: declaration helpers (``cgen``), the model renderer (``render``), ``generate``."""
