"""Shared fixtures: tool requirements that skip on a user's machine and fail in CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A git worktree sits one level deeper than the checkout: REAL_DATA_DIR points at the folder from anywhere.
REAL_DATA = Path(os.environ.get("REAL_DATA_DIR") or ROOT.parent / "shared" / "real-data")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip when a tool or data set is missing on a user's machine; under CI=true, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def require_tool(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} is not installed")
    return path


@pytest.fixture
def real_data() -> Path:
    """The shared folder of real public exports; skipped where it is absent (as on a user's machine)."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data folder not found: {REAL_DATA}")
    return REAL_DATA


@pytest.fixture
def workspace_dir(tmp_path, monkeypatch) -> Path:
    """An empty workspace folder, also set as the app's workspace."""
    path = tmp_path / "workspace"
    monkeypatch.setenv("PROCUREMENT_KPI_WORKSPACE", str(path))
    return path


@pytest.fixture
def fresh_streamlit_caches():
    """st.cache_data and st.cache_resource outlive an AppTest in one process: each app test starts and ends clean."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
