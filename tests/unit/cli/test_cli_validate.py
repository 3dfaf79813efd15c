"""``kong-ai validate FILE...``: plugin configs checked as Kong and as the plugin will, before deployment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kong_plugins.cli.main import main
from kong_plugins.cli.validate import DeckValidator


def _validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    exit_code = main(["validate", *args])
    captured = capsys.readouterr()
    assert captured.err == ""
    return exit_code, captured.out.splitlines()


def _deck(tmp_path: Path, text: str, name: str = "kong.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


ROUTE_WITH_PLUGINS = """\
_format_version: "3.0"
services:
  - name: llm
    url: http://127.0.0.1:9000
    routes:
      - name: first
        paths: [/a]
      - name: second
        paths: [/b]
        plugins:
          - name: ai-tenant-resolver
            config:
{config}
"""


def _route_plugin(config: str) -> str:
    indented = "\n".join(f"              {line}" for line in config.strip().splitlines())
    return ROUTE_WITH_PLUGINS.format(config=indented)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP port on 127.0.0.1 that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _nobody_connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


def _our_entries(deck: str) -> int:
    """How many plugin entries of ours the demo deck file has (services -> routes -> plugins, and global)."""
    document = yaml.safe_load(Path(deck).read_text())
    entries = list(document.get("plugins", []))
    for service in document.get("services", []):
        entries += service.get("plugins", [])
        for route in service.get("routes", []):
            entries += route.get("plugins", [])
    return sum(1 for entry in entries if entry["name"].startswith("ai-"))


def test_cli_validate_accepts_the_demo_deck_file(repo_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deck = str(repo_root / "declarative" / "kong.yaml")

    exit_code, lines = _validate(capsys, deck)

    assert exit_code == 0
    assert lines == [f"{deck}: ok ({_our_entries(deck)} kong-ai-guard plugin entries valid)"]


def test_cli_validate_reports_schema_violations_with_the_entity_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = _deck(
        tmp_path,
        _route_plugin("""
sources: [header]
tenants: [{id: acme}, {tier: pro}]
redis: {port: 70000}
"""),
    )

    exit_code, lines = _validate(capsys, deck)

    assert exit_code == 1
    where = f"{deck}: services[0].routes[1].plugins[0] (ai-tenant-resolver)"
    assert lines == [
        f"{where}: config.redis.port: value should be between 0 and 65535",
        f"{where}: config.tenants.2.id: required field missing",
        "kong-ai validate: 2 problems in 1 file",
    ]


def test_cli_validate_reports_a_missing_required_field_in_kongs_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = _deck(tmp_path, _route_plugin("registry: config"))

    exit_code, lines = _validate(capsys, deck)

    assert exit_code == 1
    assert lines[0] == (
        f"{deck}: services[0].routes[1].plugins[0] (ai-tenant-resolver): "
        "config.sources: required field missing"
    )


def test_cli_validate_reports_entity_checks_at_their_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = _deck(tmp_path, _route_plugin("sources: [jwt]"))

    exit_code, lines = _validate(capsys, deck)

    assert exit_code == 1
    where = f"{deck}: services[0].routes[1].plugins[0] (ai-tenant-resolver)"
    assert f"{where}: config: the jwt source needs at least one key in jwt.keys" in lines
    assert lines[-1] == "kong-ai validate: 1 problem in 1 file"


def test_cli_validate_reports_what_the_plugin_refuses_when_its_instance_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = _deck(
        tmp_path,
        _route_plugin("""
sources: [header]
tenants: [{id: acme}, {id: globex}, {id: acme}]
"""),
    )

    exit_code, lines = _validate(capsys, deck)

    assert exit_code == 1
    assert lines[0] == (
        f"{deck}: services[0].routes[1].plugins[0] (ai-tenant-resolver): "
        "config.tenants.3.id: this tenant id is listed twice"
    )
    assert lines[-1] == "kong-ai validate: 1 problem in 1 file"


def test_cli_validate_checks_plugins_everywhere_and_passes_bundled_ones_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = _deck(
        tmp_path,
        """\
_format_version: "3.0"
plugins:
  - name: key-auth
  - name: ai-tenant-resolver
    config: {sources: [header], tenants: [{id: acme}]}
routes:
  - name: top
    paths: [/top]
    plugins:
      - name: ai-tenant-resolver
        config: {sources: [header], tenants: [{id: bad id}]}
consumers:
  - username: bob
    plugins:
      - name: ai-tenant-resolver
        enabled: "yes"
        config: {sources: [consumer]}
      - name: rate-limiting
        config: {minute: 5}
""",
    )

    exit_code, lines = _validate(capsys, deck)

    assert exit_code == 1
    assert lines == [
        f"{deck}: plugins[0] (key-auth): note: bundled with Kong, not checked by kong-ai validate",
        f"{deck}: routes[0].plugins[0] (ai-tenant-resolver): config.tenants.1.id: invalid value: bad id",
        f"{deck}: consumers[0].plugins[0] (ai-tenant-resolver): enabled: expected a boolean",
        f"{deck}: consumers[0].plugins[1] (rate-limiting): note: bundled with Kong, not checked by kong-ai "
        "validate",
        "kong-ai validate: 2 problems in 1 file",
    ]


def test_cli_validate_reports_unknown_plugins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deck = _deck(
        tmp_path,
        """\
_format_version: "3.0"
plugins:
  - name: ai-tenant-resolvr
    config: {sources: [header]}
  - name: key-auth
""",
    )

    exit_code, lines = _validate(capsys, deck)

    assert exit_code == 1
    assert lines[0].startswith(f"{deck}: plugins[0] (ai-tenant-resolvr): unknown plugin: neither one of ours")
    assert "plugin 'ai-tenant-resolvr' not enabled" in lines[0]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("broken.yaml", '_format_version: "3.0"\nplugins: [\n', "invalid YAML at line 3, column 1:"),
        ("tabs.yaml", "plugins:\n\t- name: x\n", "invalid YAML at line 2, column 1:"),
        ("broken.json", '{"_format_version": "3.0",}', "invalid JSON at line 1, column 27:"),
        ("list.yaml", "- name: ai-tenant-resolver\n", "expected a record at the top"),
        ("empty.yaml", "", "the file is empty"),
        ("object.yaml", "!!python/object:os.system {}\n", "invalid YAML at line 1, column 1:"),
        ("old.yaml", "_format_version: '0.1'\n", "_format_version: expected one of: 1.1, 2.1, 3.0"),
        ("none.yaml", "services: []\n", "_format_version: required field missing"),
    ],
)
def test_cli_validate_reports_unreadable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    deck = _deck(tmp_path, text, name)

    exit_code, lines = _validate(capsys, deck)

    assert exit_code == 1
    assert lines[0].startswith(f"{deck}: {message}")


def test_cli_validate_lists_every_problem_of_every_file(
    tmp_path: Path, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = str(repo_root / "declarative" / "kong.yaml")
    bad_json = _deck(
        tmp_path,
        '{"_format_version": "3.0", "plugins": [{"name": "ai-tenant-resolver", "config": {"sources": []}}]}',
        "bad.json",
    )
    missing = str(tmp_path / "missing.yaml")

    exit_code, lines = _validate(capsys, bad_json, good, missing)

    assert exit_code == 1
    assert lines == [
        f"{bad_json}: plugins[0] (ai-tenant-resolver): config.sources: length must be at least 1",
        f"{good}: ok ({_our_entries(good)} kong-ai-guard plugin entries valid)",
        f"{missing}: cannot read the file: No such file or directory",
        "kong-ai validate: 2 problems in 2 files",
    ]


def test_cli_validate_never_contacts_redis(
    tmp_path: Path, listener: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    port = listener.getsockname()[1]
    deck = _deck(
        tmp_path,
        _route_plugin(f"""
sources: [api_key, header]
registry: redis
redis: {{host: 127.0.0.1, port: {port}}}
"""),
    )

    exit_code, lines = _validate(capsys, deck)

    assert exit_code == 0, lines
    assert _nobody_connected(listener)


def test_cli_validate_reports_a_plugin_that_connects_when_it_starts(
    tmp_path: Path, listener: socket.socket, install_plugin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    address = listener.getsockname()

    class EagerPlugin:
        def __init__(self, config: dict[str, Any]) -> None:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as connection:
                connection.settimeout(2)
                connection.connect(address)  # a numeric address: no name lookup first

        def access(self, kong: Any) -> None:
            """An access phase."""

    dump = {"name": "ai-eager", "fields": [{"config": {"type": "record", "fields": []}}]}
    eager = install_plugin("cli_test_eager_plugin", EagerPlugin, dump)
    deck = _deck(tmp_path, '_format_version: "3.0"\nplugins:\n  - name: ai-eager\n')

    exit_code, lines = _validate(capsys, deck, "--plugin", eager.spec)

    assert exit_code == 1
    assert lines[0].startswith(
        f"{deck}: plugins[0] (ai-eager): the plugin tried to use the network when its instance started "
        "(socket.connect ('127.0.0.1', "
    )
    assert "instances must connect lazily" in lines[0]
    assert _nobody_connected(listener)


def test_cli_validate_uses_the_plugins_own_instance_checks(
    tmp_path: Path, synthetic_plugin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = _deck(
        tmp_path,
        """\
_format_version: "3.0"
plugins:
  - name: ai-synthetic
    config: {mode: safe, rules: [{pattern: "a+"}, {pattern: "(b"}]}
  - name: ai-synthetic
    config: {mode: safe}
""",
    )

    exit_code, lines = _validate(capsys, deck, "--plugin", synthetic_plugin.spec)

    assert exit_code == 1
    assert lines == [
        f"{deck}: plugins[0] (ai-synthetic): config.rules.2.pattern: unbalanced parenthesis",
        f"{deck}: plugins[1] (ai-synthetic): config: failed conditional validation given value of field "
        "'mode'",
        f"{deck}: plugins[1] (ai-synthetic): config.rules: length must be at least 1",
        "kong-ai validate: 3 problems in 1 file",
    ]


def test_cli_validate_bounds_the_work_a_small_file_can_ask_for(tmp_path: Path) -> None:
    # YAML aliases: ~40 lines that stand for 101 x 1000 routes
    routes = "\n".join(f"  - *r{i % 10}" for i in range(1000))
    anchors = "\n".join(f"  - &r{i} {{name: r{i}, paths: [/r{i}]}}" for i in range(10))
    services = "\n".join("  - {name: s, routes: *routes}" for _ in range(101))
    deck = _deck(
        tmp_path,
        f'_format_version: "3.0"\n_anchors:\n{anchors}\nx: &routes\n{routes}\nservices:\n{services}\n',
    )

    report = DeckValidator({}).validate_file(deck)  # bounded work: pytest-timeout guards a blow-up

    assert [str(finding) for finding in report.errors] == [
        "more than 100000 entities: the rest of the file is not checked"
    ]


def test_cli_validate_as_a_command_prints_findings_only(tmp_path: Path, repo_root: Path) -> None:
    deck = _deck(tmp_path, _route_plugin("sources: [header]\ntenants: [{id: acme}, {id: acme}]"))
    environment = {key: value for key, value in os.environ.items() if key != "KONG_AI_PLUGINS"}
    environment["PYTHONPATH"] = str(repo_root)

    result = subprocess.run(
        [sys.executable, "-m", "kong_plugins.cli.main", "validate", deck],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )

    assert result.returncode == 1
    assert result.stderr == ""  # the plugin's own ERROR log line is not printed on top of the finding
    assert "config.tenants.2.id: this tenant id is listed twice" in result.stdout


def test_cli_validate_escapes_values_quoted_from_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = _deck(tmp_path, _route_plugin('sources: [header]\ntenants: [{id: "\\e[2Jgone"}]'))

    exit_code, lines = _validate(capsys, deck)

    assert exit_code == 1
    assert lines[0].endswith("config.tenants.1.id: invalid value: \\x1b[2Jgone")
    assert not any("\x1b" in line for line in lines)


PROTOCOLS_DECK = """\
_format_version: "3.0"
services:
  - name: llm
    url: http://127.0.0.1:9000
    plugins:
      - name: ai-tenant-resolver
        protocols: [grpc]
        config: {sources: [header]}
    routes:
      - name: tls-only
        protocols: [https]
        paths: [/a]
        plugins:
          - name: ai-tenant-resolver
            protocols: [http]
            config: {sources: [header]}
      - name: default-protocols
        paths: [/b]
        plugins:
          - name: ai-tenant-resolver
            protocols: [https]
            config: {sources: [header]}
"""


def test_cli_validate_checks_that_a_plugin_can_run_on_its_route(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """kong/db/dao/plugins.lua ``check_protocols_match``: deck's sync would get these 400s from Kong."""
    deck = _deck(tmp_path, PROTOCOLS_DECK)

    exit_code, lines = _validate(capsys, deck)

    assert exit_code == 1
    assert lines == [
        f"{deck}: services[0].routes[0].plugins[0] (ai-tenant-resolver): protocols: must match the "
        "associated route's protocols",
        f"{deck}: services[0].plugins[0] (ai-tenant-resolver): protocols: must match the protocols of at "
        "least one route pointing to this Plugin's service",
        "kong-ai validate: 2 problems in 1 file",
    ]
