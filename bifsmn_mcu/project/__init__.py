"""The generated PlatformIO project: ``write_project(out_dir, board=..., prefix=..., ...)``."""

from .writer import ProjectError, write_project

__all__ = ["ProjectError", "write_project"]
