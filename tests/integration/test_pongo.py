"""scripts/pongo up/status/down start the whole local stack and leave no process behind.

Runs a second, private stack (own ports, own state folder) beside the one the suite may be using.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PONGO = [sys.executable, str(ROOT / "scripts" / "pongo")]  # this Python: PONGO_NO_VENV=1 below

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_up_status_down_leaves_nothing_behind(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("PROXY", "ADMIN", "REDIS", "MOCK_LLM")}
    env = dict(os.environ, PONGO_RUN_DIR=str(tmp_path / "run"), PONGO_KEEP_UP="", PONGO_NO_VENV="1")
    for name, port in ports.items():
        env[f"KONG_AI_{name}_PORT"] = str(port)
    for name in ("KONG_PROXY_URL", "KONG_ADMIN_URL", "REDIS_CLUSTER_PORTS", "REDIS_CLUSTER_DIR"):
        env.pop(name, None)  # the session's stack: this private one decides its own
    up = subprocess.run([*PONGO, "up"], env=env, capture_output=True, text=True, timeout=120)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        status = subprocess.run([*PONGO, "status"], env=env, capture_output=True, text=True, timeout=30)
        assert status.returncode == 0, status.stdout
        assert {"redis", "mock_llm", "gateway"} <= {line.split()[0] for line in status.stdout.splitlines()}

        admin = f"http://127.0.0.1:{ports['ADMIN']}"
        servers = httpx.get(f"{admin}/_emulator/pluginservers").json()["data"]
        assert servers and all(alive(s["pid"]) for s in servers)
        missing = httpx.get(f"http://127.0.0.1:{ports['PROXY']}/no-such-route-{ports['PROXY']}")
        assert missing.status_code == 404
        assert missing.json()["message"] == "no Route matched with those values"
        pids = [entry["pid"] for entry in json.loads((tmp_path / "run" / "pids.json").read_text()).values()]
        pids += [s["pid"] for s in servers]
    finally:
        down = subprocess.run([*PONGO, "down"], env=env, capture_output=True, text=True, timeout=60)
    assert down.returncode == 0, down.stdout + down.stderr
    assert [pid for pid in pids if alive(pid)] == []
    assert not (tmp_path / "run" / "pids.json").exists()
    after = subprocess.run([*PONGO, "status"], env=env, capture_output=True, text=True, timeout=30)
    assert after.returncode != 0 and "down" in after.stdout
