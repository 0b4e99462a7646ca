"""The workspace: where imported tables, import history, mappings, goals and settings are kept."""

from storage.frames import conform, dtypes, empty_table
from storage.workspace import DEFAULT_SETTINGS, Workspace, WorkspaceError

__all__ = ["DEFAULT_SETTINGS", "Workspace", "WorkspaceError", "conform", "dtypes", "empty_table"]
