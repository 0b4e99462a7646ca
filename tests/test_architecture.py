"""Architecture rules: computing packages never import streamlit; the core never reaches into the sample."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = ("loaders", "kpi", "storage", "exports", "charts", "sample_data")  # benchmarks drive AppTest


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_package_never_imports_streamlit(package):
    """kpi/, loaders/ and the other computing packages stay testable without a browser."""
    files = list((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []
    offenders = [str(f.relative_to(ROOT)) for f in files if "streamlit" in imported_modules(f)]
    assert offenders == []


# The core knows nothing of the sample city: its as-of date is a workspace setting like any other.
SAMPLE_FREE_PACKAGES = ("kpi", "exports", "charts")


def imports_anywhere(path: Path) -> set[str]:
    """Top-level package names imported anywhere in the file, inside functions too."""
    return imported_modules(path)


def test_imported_modules_sees_imports_inside_functions(tmp_path):
    """The checks below can fail: an import hidden in a function body is found."""
    f = tmp_path / "m.py"
    f.write_text("def f():\n    import sample_data\n    from streamlit import x\n", encoding="utf-8")
    assert imported_modules(f) == {"sample_data", "streamlit"}


@pytest.mark.parametrize("package", SAMPLE_FREE_PACKAGES)
def test_core_never_imports_the_sample(package):
    """kpi/, exports/ and charts/ never import sample_data (the loader stores the sample's as-of date)."""
    files = list((ROOT / package).rglob("*.py"))
    assert files
    offenders = [str(f.relative_to(ROOT)) for f in files if "sample_data" in imports_anywhere(f)]
    assert offenders == []


def test_no_raw_html_from_data():
    """No page or helper renders HTML with unsafe_allow_html (text from files is never HTML)."""
    sources = [p for p in ROOT.rglob("*.py") if ".venv" not in p.parts and "tests" not in p.parts]
    offenders = [str(p.relative_to(ROOT)) for p in sources if "unsafe_allow_html=True" in p.read_text()]
    assert offenders == []
