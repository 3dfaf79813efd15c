"""When `scripts/pongo` (re)installs the package: only this checkout's install, with the current
pyproject.toml, counts; another checkout's `kong-ai-pluginserver` on PATH does not."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pongo() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("pongo_script", str(ROOT / "scripts" / "pongo"))
    spec = importlib.util.spec_from_loader("pongo_script", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_another_checkouts_install_is_replaced(pongo: ModuleType, tmp_path: Path, monkeypatch) -> None:
    stamp = tmp_path / "pongo-install.json"
    stamp.write_text(json.dumps(pongo.install_stamp()))
    monkeypatch.setattr(pongo, "installed_checkout", lambda: "/work/elsewhere")
    assert "another checkout's (/work/elsewhere)" in pongo.install_needed(stamp)


def test_no_install_is_installed(pongo: ModuleType, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pongo, "installed_checkout", lambda: None)
    assert pongo.install_needed(tmp_path / "none.json") == "kong-ai-guard is not installed in this Python"


def test_a_changed_pyproject_reinstalls(pongo: ModuleType, tmp_path: Path, monkeypatch) -> None:
    stamp = tmp_path / "pongo-install.json"
    monkeypatch.setattr(pongo, "installed_checkout", lambda: str(pongo.ROOT))
    stamp.write_text(json.dumps({**pongo.install_stamp(), "pyproject_sha256": "0" * 64}))
    assert pongo.install_needed(stamp) == "pyproject.toml changed since the last install"
    stamp.write_text(json.dumps(pongo.install_stamp()))
    assert pongo.install_needed(stamp) is None
