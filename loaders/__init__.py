"""Loaders: read messy procurement exports (Excel, CSV, Parquet) onto the canonical data model.

Public API (used by the app, the CLI and the other packages):
`inspect_file`, `import_file`, `normalise`, `Part`, `ImportResult`, `LoadError`.
"""

from .api import ImportResult, Part, import_file, inspect_file
from .normalise import normalise
from .readers import LoadError

__all__ = ["ImportResult", "LoadError", "Part", "import_file", "inspect_file", "normalise"]
