"""``--metrics-dir`` at start (core/metrics_dir.py): a previous run's files are deleted when a node starts, a
process restarted while others run keeps its siblings' counts, and a directory that is not ours is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("prometheus_client")  # a core dependency, yet an environment may lack it
from unit.observability.test_metrics_core import CHILD, env, finish, running, scrape

from kong_plugins.core.metrics_dir import ForeignDirectory, prepare

CALLS = "kong_ai_pdk_calls_sum"


def calls(found: dict, plugin: str) -> float | None:
    return found.get((CALLS, (("phase", "access"), ("plugin", plugin))))


def exited(directory: Path, plugin: str) -> None:
    """A process that recorded into ``directory`` and exited (a previous run, or a crashed sibling)."""
    subprocess.run([sys.executable, "-c", CHILD, str(directory), plugin], check=True, env=env())


def test_a_previous_runs_counts_are_gone_when_a_node_starts(tmp_path: Path) -> None:
    exited(tmp_path, "old")
    assert any(path.suffix == ".db" for path in tmp_path.iterdir())
    found = scrape(tmp_path)
    assert calls(found, "old") is None
    assert not [path for path in tmp_path.iterdir() if path.suffix == ".db"]


def test_a_process_restarted_while_others_run_keeps_every_count(tmp_path: Path) -> None:
    """Kong restarts a plugin server that died while the others run: the dead one's counters stay (the
    summed counter must not go backwards), and so do the live one's."""
    live = running(tmp_path, "live")
    try:
        exited(tmp_path, "crashed")
        found = scrape(tmp_path)
    finally:
        finish(live)
    assert calls(found, "live") == 4
    assert calls(found, "crashed") == 4


def test_a_directory_with_other_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "counter_1.db").write_bytes(b"")
    with pytest.raises(ForeignDirectory, match=r"notes\.txt"):
        prepare(str(tmp_path))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["counter_1.db", "notes.txt"]


def test_a_subdirectory_is_not_ours_either(tmp_path: Path) -> None:
    (tmp_path / "counter_1.db").mkdir()
    with pytest.raises(ForeignDirectory):
        prepare(str(tmp_path))


def test_the_plugin_server_refuses_a_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "important.csv").write_text("a,b\n")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kong_plugins.server.cli",
            "-p",
            str(tmp_path),
            "--metrics-dir",
            str(tmp_path),
        ],
        env=env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "important.csv" in run.stderr and "not kong-ai-pluginserver metrics" in run.stderr
    assert (tmp_path / "important.csv").read_text() == "a,b\n"
