"""`scripts/pongo` as a newcomer meets it: ports taken by other programs, failed starts, status and logs.

Each test runs pongo on a private run directory (``PONGO_RUN_DIR``) with this Python (``PONGO_NO_VENV=1``)
and without the session's port variables, so that pongo decides the ports itself, as on a fresh machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fixtures.stack import parse_env

ROOT = Path(__file__).resolve().parents[2]
PONGO = ROOT / "scripts" / "pongo"
PORT_VARS = ("KONG_AI_PROXY_PORT", "KONG_AI_ADMIN_PORT", "KONG_AI_REDIS_PORT", "KONG_AI_MOCK_LLM_PORT")
DEFAULTS = {"KONG_AI_PROXY_PORT": 8000, "KONG_AI_ADMIN_PORT": 8001, "KONG_AI_REDIS_PORT": 6379}
STACK_VARS = (
    *PORT_VARS,
    "REDIS_CLUSTER_PORTS",
    "REDIS_CLUSTER_DIR",
    "KONG_PROXY_URL",
    "KONG_ADMIN_URL",
    "KONG_AI_REDIS_URL",
    "KONG_AI_MOCK_LLM_URL",
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def listening(*ports: int) -> Iterator[list[int]]:
    """Another program's listeners: on each port given (unless something already holds it), or on a free one
    when the port is 0. Yields the ports now taken."""
    socks, taken = [], []
    try:
        for port in ports:
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                taken.append(port)  # already held by someone else: taken all the same
                continue
            sock.listen()
            socks.append(sock)
            taken.append(sock.getsockname()[1])
        yield taken
    finally:
        for sock in socks:
            sock.close()


@pytest.fixture
def run_pongo(tmp_path: Path) -> Iterator:
    run_dir = tmp_path / "run"
    base = {k: v for k, v in os.environ.items() if k not in STACK_VARS}
    base.update(PONGO_RUN_DIR=str(run_dir), PONGO_NO_VENV="1")

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(PONGO), *args],
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=180,
        )

    run.run_dir = run_dir  # type: ignore[attr-defined]
    yield run
    run("down")


@pytest.mark.parametrize("var", ["KONG_AI_PROXY_PORT", "KONG_AI_REDIS_PORT"])
def test_a_taken_port_set_in_the_environment_is_a_one_line_error_naming_the_variable(run_pongo, var) -> None:
    with listening(0) as (port,):
        result = run_pongo("up", "--auto-ports", **{var: str(port)})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"pongo: port {port} ({var}) is in use by another program: set {var} to a free port, "
        "or unset it and pongo picks one"
    ]
    assert "Traceback" not in result.stdout + result.stderr
    assert not (run_pongo.run_dir / "pids.json").exists()


def test_a_failed_up_leaves_nothing_running(run_pongo) -> None:
    result = run_pongo("up", "--auto-ports", KONG_VERSION="not-a-version")  # the gateway refuses to start
    assert result.returncode == 1
    assert result.stderr.startswith("pongo: gateway exited while starting")
    assert len(result.stderr.strip().splitlines()) == 1
    env = parse_env((run_pongo.run_dir / "env").read_text())
    for var in ("KONG_AI_REDIS_PORT", "KONG_AI_MOCK_LLM_PORT"):  # Redis and the mock LLM had started
        assert port_is_free(int(env[var])), var
    assert not (run_pongo.run_dir / "pids.json").exists()
    assert run_pongo("status").returncode == 1


def test_up_moves_off_taken_default_ports_and_every_consumer_follows(run_pongo) -> None:
    with listening(*DEFAULTS.values(), 9000, 7101):
        up = run_pongo("up", "--redis-cluster")
        assert up.returncode == 0, up.stdout + up.stderr
    for var, default in DEFAULTS.items():
        assert f"port {default} is in use: {var}=" in up.stdout
    env = parse_env((run_pongo.run_dir / "env").read_text())
    assert all(int(env[var]) != default for var, default in DEFAULTS.items())

    # the Redis Cluster's bus ports (+10000) stay below the kernel's ephemeral range
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    assert all(int(port) + 10000 < low for port in env["REDIS_CLUSTER_PORTS"].split())

    # status is true for every service, the cluster's nodes included
    status = run_pongo("status")
    assert status.returncode == 0, status.stdout
    cluster_line = next(line for line in status.stdout.splitlines() if line.startswith("redis-cluster"))
    assert " up " in cluster_line and len(cluster_line.split("pid=")[1].split()[0].split(",")) == 3

    # the declarative config was rendered with the chosen ports: its echo route reaches the mock LLM
    rendered = (run_pongo.run_dir / "kong.yaml").read_text()
    assert (
        f"127.0.0.1:{env['KONG_AI_MOCK_LLM_PORT']}" in rendered
        and f"port: {env['KONG_AI_REDIS_PORT']}" in rendered
    )
    assert httpx.get(f"{env['KONG_PROXY_URL']}/echo", timeout=10).status_code == 200

    # a second `up` finds it up instead of restarting it
    again = run_pongo("up", "--redis-cluster")
    assert again.returncode == 0 and "already up" in again.stdout

    # logs: each line once, the newest run only unless --all
    started = "proxy on 127.0.0.1:"
    assert run_pongo("logs").stdout.count(started) == 1
    assert run_pongo("restart", "--redis-cluster").returncode == 0
    assert run_pongo("logs").stdout.count(started) == 1
    assert run_pongo("logs", "--all").stdout.count(started) == 2

    down = run_pongo("down")
    assert down.returncode == 0
    assert run_pongo("status").returncode == 1
    env = parse_env((run_pongo.run_dir / "env").read_text())
    ports = [int(env[var]) for var in PORT_VARS] + [int(p) for p in env["REDIS_CLUSTER_PORTS"].split()]
    assert all(port_is_free(port) for port in ports)


def test_plain_pytest_uses_the_stack_pongo_decides(run_pongo, tmp_path: Path) -> None:
    """`pytest` without `scripts/pongo run`: the session asks pongo for the ports (not 8000/8001/9000), starts
    the stack, runs the tests through it and stops it."""
    env = {k: v for k, v in os.environ.items() if k not in STACK_VARS}
    env.update(PONGO_RUN_DIR=str(run_pongo.run_dir))
    test = "tests/integration/gateway/test_status_counters.py"
    with listening(*DEFAULTS.values(), 9000):
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    stack = parse_env((run_pongo.run_dir / "env").read_text())
    assert all(int(stack[var]) != default for var, default in DEFAULTS.items())
    assert run_pongo("status").returncode == 1  # the session stopped the stack it started


def test_a_taken_cluster_bus_port_is_named_not_a_ping_timeout(tmp_path: Path) -> None:
    candidates = (port for port in range(21000, 22000) if port_is_free(port) and port_is_free(port + 10000))
    ports = [next(candidates) for _ in range(3)]
    env = {k: v for k, v in os.environ.items() if k not in STACK_VARS}
    env.update(REDIS_CLUSTER_PORTS=" ".join(map(str, ports)), REDIS_CLUSTER_DIR=str(tmp_path / "cluster"))
    script = str(ROOT / "scripts" / "redis-cluster")
    with listening(ports[0] + 10000) as (bus,):
        assert bus == ports[0] + 10000
        result = subprocess.run([script, "start"], env=env, capture_output=True, text=True, timeout=120)
        subprocess.run([script, "stop"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"port {ports[0]} or its cluster bus port {bus} is in use by another program" in result.stderr
    assert "timed out" not in result.stderr
