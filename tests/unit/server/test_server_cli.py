"""The command line in-process: flag spellings, dumps and refusals (the real process is in integration/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kong_plugins.server import cli

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PROBE = "example-probe=example_plugins.probe"
GREETER = "example-greeter=example_plugins.greeter"


@pytest.fixture(autouse=True)
def fixtures_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(FIXTURES))
    monkeypatch.delenv("KONG_AI_PLUGINS", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_kong_pdk_flag_spellings_are_accepted() -> None:
    args = cli.build_parser().parse_args(
        [
            "-kong-prefix",
            "/tmp",
            "--socket-name",
            "x.sock",
            "--listen-queue-size",
            "10",
            "-vv",
            "--no-lua-style",
            "-g",
        ]
    )
    assert (args.prefix, args.socket_name, args.listen_queue_size) == ("/tmp", "x.sock", 10)
    assert (args.verbose, args.no_lua_style, args.gevent) == (2, True, True)
    assert cli.build_parser().parse_args(["-p", "/x"]).socket_name == "kong-ai.sock"
    assert cli.build_parser().parse_args(["-dump"]).dump is not None
    assert cli.build_parser().parse_args(["-dump", "a-plugin"]).dump == "a-plugin"
    assert cli.build_parser().parse_args(["-dump-all-plugins"]).dump_all


def test_gevent_and_multiprocessing_are_mutually_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["-g", "-m"])
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_multiprocessing_is_refused_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "-m")
    assert code == 2 and out == ""
    assert cli.MULTIPROCESSING_REFUSAL in err


def test_green_runtime_and_gevent_exclude_each_other(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, "--runtime", "green", "-g")
    assert (code, out) == (2, "") and "-g and --runtime green exclude each other" in err
    monkeypatch.setenv(cli.RUNTIME_ENV_VAR, "fibres")
    code, _, err = run(capsys, "-p", "/tmp")
    assert code == 2 and f"${cli.RUNTIME_ENV_VAR} must be one of green, threads" in err


def test_dump_of_one_plugin_is_a_one_element_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--plugin", PROBE, "--plugin", GREETER, "-dump", "example-greeter")
    assert code == 0
    entries = json.loads(out)
    assert [entry["Name"] for entry in entries] == ["example-greeter"]
    assert set(entries[0]) == {"Name", "Phases", "Priority", "Version", "Schema"}


def test_dump_plugin_info_prints_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--plugin", PROBE, "--dump-plugin-info", "example-probe")
    assert code == 0
    assert json.loads(out)["Name"] == "example-probe"


def test_dump_all_lists_every_plugin_in_table_order(capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("--dump", "--dump-all-plugins"):
        code, out, _ = run(capsys, "--plugin", GREETER, "--plugin", PROBE, flag)
        assert code == 0
        assert [entry["Name"] for entry in json.loads(out)] == ["example-greeter", "example-probe"]


def test_the_environment_variable_chooses_the_plugins(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KONG_AI_PLUGINS", f"{PROBE},{GREETER}")
    code, out, _ = run(capsys, "--dump")
    assert code == 0
    assert [entry["Name"] for entry in json.loads(out)] == ["example-probe", "example-greeter"]


def test_dumps_fail_without_output_for_unknown_or_missing_plugins(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--plugin", PROBE, "--dump", "nope")
    assert (code, out) == (1, "") and "nope" in err
    code, out, err = run(capsys, "--plugin", "ghost=no_such_module_here", "--dump")
    assert (code, out) == (1, "") and "not installed" in err


def test_a_bad_plugin_spec_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--plugin", "no-equals-sign", "--dump")
    assert (code, out) == (2, "") and "bad plugin spec" in err


def test_serving_needs_an_existing_prefix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--plugin", PROBE, "-p", str(tmp_path / "missing"))
    assert code == 1 and "does not exist" in err
