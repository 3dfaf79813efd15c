"""``kong-ai docs``: pages rendered from a plugin's schema, and the drift check CI runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kong_plugins.cli.docs import GENERATED_MARKER, render_docs, render_plugin_page
from kong_plugins.cli.main import main
from kong_plugins.server.registry import load_plugin_module


def _loaded(plugin: Any) -> Any:
    return load_plugin_module(plugin.name, plugin.module_name)


def test_cli_docs_renders_each_field_with_type_required_default_and_constraints(
    synthetic_plugin: Any,
) -> None:
    page = render_plugin_page(_loaded(synthetic_plugin))
    lines = page.splitlines()

    assert lines[0] == GENERATED_MARKER
    assert "# ai-synthetic" in lines
    assert "| `ai-synthetic` | 1.2.3 | 5 | access |" in lines
    mode = (
        "| `config.mode` | string | yes |  | must be one of `fast`, `safe` "
        "| How to run \\| with a pipe and a newline. |"
    )
    assert mode in lines
    assert "| `config.limit` | integer | no | `10` | must be between 1 and 100 | Most. |" in lines
    assert "| `config.rules` | array of record | no | `[]` |  | Rules. |" in lines
    assert (
        "| `config.rules[].pattern` | string | yes |  | must have at most 64 characters | A regex. |" in lines
    )
    assert (
        "| `config.labels` | map of string to string | no |  | each value may be empty | Labels. |" in lines
    )
    # a record reached from config through records is required by Kong, and built from its defaults
    assert "| `config.backend` | record | not null |  |  | Where to go. |" in lines
    assert '| `config.backend.host` | string | no | `"127.0.0.1"` |  | Host. |' in lines
    # nested fields come right after their record, in schema order
    configuration = page.split("## Configuration", 1)[1].split("## Entity checks", 1)[0]
    paths = [line.split(" | ")[0][2:] for line in configuration.splitlines() if line.startswith("| `config.")]
    assert paths == [
        "`config.mode`",
        "`config.limit`",
        "`config.rules`",
        "`config.rules[].pattern`",
        "`config.labels`",
        "`config.old_limit`",
        "`config.backend`",
        "`config.backend.host`",
        "`config.backend.port`",
    ]


def test_cli_docs_renders_entity_checks_in_words_and_deprecations(synthetic_plugin: Any) -> None:
    page = render_plugin_page(_loaded(synthetic_plugin))

    assert "- At least one of `config.limit`, `config.old_limit` must be set (not null or empty).\n" in page
    assert "- When `config.mode` is `safe`, `config.rules` must have at least 1 element.\n" in page
    deprecations = page.split("## Deprecations", 1)[1]
    assert "| `config.old_limit` | old_limit is deprecated, use limit | 2.0 |  |" in deprecations


def test_cli_docs_output_is_deterministic_and_the_index_follows_execution_order(
    install_plugin: Any, synthetic_plugin: Any
) -> None:
    class Other:
        def __init__(self, config: dict[str, Any]) -> None:
            self.config = config

        def log(self, kong: Any) -> None:
            """A log phase."""

    dump = {"name": "ai-other", "fields": [{"config": {"type": "record", "fields": []}}]}
    other = install_plugin("cli_test_other_plugin", Other, dump, version="0.0.1", priority=900)
    plugins = [_loaded(synthetic_plugin), _loaded(other)]

    first, second = render_docs(plugins), render_docs(list(reversed(plugins)))

    assert first == second
    assert sorted(first) == ["README.md", "ai-other.md", "ai-synthetic.md"]
    index = first["README.md"].splitlines()
    rows = [line for line in index if line.startswith("| [")]
    assert rows == [
        "| [ai-other](ai-other.md) | 0.0.1 | 900 | log |",
        "| [ai-synthetic](ai-synthetic.md) | 1.2.3 | 5 | access |",
    ]
    assert "None." in first["ai-other.md"]  # no entity checks, no deprecations: said, not left blank


def test_cli_docs_committed_reference_is_up_to_date(
    repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_code = main(["docs", "--check", "--out", str(repo_root / "docs" / "plugins")])

    out = capsys.readouterr().out
    assert exit_code == 0, f"docs/plugins is stale, run `kong-ai docs`:\n{out}"
    assert "up to date" in out


def test_cli_docs_check_lists_stale_files_and_generating_fixes_them(
    tmp_path: Path, synthetic_plugin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "plugins"
    args = ["docs", "--out", str(out_dir), "--plugin", synthetic_plugin.spec]

    assert main([*args, "--check"]) == 1
    report = capsys.readouterr().out
    assert f"{out_dir / 'README.md'}: missing" in report
    assert f"{out_dir / 'ai-synthetic.md'}: missing" in report
    assert not out_dir.exists()  # --check writes nothing

    assert main(args) == 0
    assert main([*args, "--check"]) == 0
    capsys.readouterr()

    page = out_dir / "ai-synthetic.md"
    page.write_text(page.read_text() + "hand edit\n")
    (out_dir / "ai-gone.md").write_text(GENERATED_MARKER + "\n# ai-gone\n")
    (out_dir / "notes.md").write_text("# hand-written notes\n")
    assert main([*args, "--check"]) == 1
    report = capsys.readouterr().out
    assert f"{page}: out of date" in report
    assert f"{out_dir / 'ai-gone.md'}: no such plugin any more" in report
    assert "notes.md" not in report

    assert main(args) == 0
    assert main([*args, "--check"]) == 0
    assert "hand edit" not in page.read_text()
    assert not (out_dir / "ai-gone.md").exists()
    assert (out_dir / "notes.md").exists()


def test_cli_docs_refuses_a_plugin_that_cannot_be_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_code = main(["docs", "--out", str(tmp_path), "--plugin", "ai-missing=cli_test_no_such_module"])

    assert exit_code == 1
    assert "module cli_test_no_such_module is not installed" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
