"""Plugin table selection, module loading and validation, as the query command and StartInstance see them."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest

from kong_plugins.core.priorities import PRIORITIES
from kong_plugins.server import registry

_unique = itertools.count()

GOOD_MODULE = """
version = "1.2.3"
priority = 42
Schema = ({"limit": {"type": "integer", "default": 5}},)

class Plugin:
    def __init__(self, config):
        self.config = config

    def access(self, kong):
        pass

    def log(self, kong):
        pass
"""


@pytest.fixture
def module_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def write_module(directory: Path, source: str) -> str:
    """Write ``source`` as a fresh, uniquely named module and return its import path."""
    name = f"regtest_mod_{next(_unique)}"
    (directory / f"{name}.py").write_text(textwrap.dedent(source))
    return name


def test_the_table_names_every_plugin_of_the_priority_table() -> None:
    assert set(registry.PLUGIN_MODULES) == set(PRIORITIES)
    for name, module_path in registry.PLUGIN_MODULES.items():
        assert module_path == "kong_plugins." + name.replace("-", "_")


def test_plugin_specs_parse_and_reject_bad_input() -> None:
    assert registry.parse_plugin_specs(["a-b=pkg.mod", " c = d "]) == {"a-b": "pkg.mod", "c": "d"}
    for bad in ["nomodule", "=pkg", "name=", "name=pkg..mod", "na me=pkg", "name=pkg.mod; rm -rf"]:
        with pytest.raises(ValueError, match="bad plugin spec"):
            registry.parse_plugin_spec(bad)
    with pytest.raises(ValueError, match="given twice"):
        registry.parse_plugin_specs(["a=x", "a=y"])


def test_flags_win_over_the_environment_which_wins_over_the_default() -> None:
    env = {registry.PLUGINS_ENV_VAR: "env-plugin=env.mod, other=other.mod,"}
    assert registry.select_plugin_modules(["flag=flag.mod"], env) == ({"flag": "flag.mod"}, True)
    assert registry.select_plugin_modules([], env) == ({"env-plugin": "env.mod", "other": "other.mod"}, True)
    assert registry.select_plugin_modules([], {registry.PLUGINS_ENV_VAR: " "}) == (
        registry.PLUGIN_MODULES,
        False,
    )


def test_a_good_module_is_described_as_kong_pdk_would(module_dir: Path) -> None:
    plugin = registry.load_plugin_module("my-plugin", write_module(module_dir, GOOD_MODULE))
    assert plugin.info() == {
        "Name": "my-plugin",
        "Phases": ["log", "access"],
        "Priority": 42,
        "Version": "1.2.3",
        "Schema": {
            "name": "my-plugin",
            "fields": [
                {"config": {"type": "record", "fields": [{"limit": {"type": "integer", "default": 5}}]}}
            ],
        },
    }


def test_schema_dump_is_preferred_over_wrapping_schema(module_dir: Path) -> None:
    source = GOOD_MODULE + textwrap.dedent(
        """
        SCHEMA_DUMP = {
            "name": "my-plugin",
            "fields": [{"config": {"type": "record", "fields": []}}],
            "entity_checks": [{"at_least_one_of": ["config.a", "config.b"]}],
        }
        """
    )
    schema = registry.load_plugin_module("my-plugin", write_module(module_dir, source)).schema
    assert schema["entity_checks"] == [{"at_least_one_of": ["config.a", "config.b"]}]
    assert schema["fields"] == [{"config": {"type": "record", "fields": []}}]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("version = None", "version must be an 'x.y.z' string"),
        ('version = "1.0"', "version must be an 'x.y.z' string"),
        ('priority = "10"', "priority must be an integer"),
        ("priority = True", "priority must be an integer"),
        ("Plugin = None", "has no Plugin class"),
        ("Schema = {'a': 1}", "Schema must be a list"),
        ("Schema = [{'a': object()}]", "not JSON-serialisable"),
        ("SCHEMA_DUMP = {'name': 'other', 'fields': []}", "SCHEMA_DUMP names plugin 'other'"),
        ("SCHEMA_DUMP = {'name': 'my-plugin'}", "SCHEMA_DUMP must be a dict with a 'fields' list"),
    ],
)
def test_invalid_modules_are_refused_with_the_reason(module_dir: Path, change: str, message: str) -> None:
    module_path = write_module(module_dir, GOOD_MODULE + "\n" + change + "\n")
    with pytest.raises(registry.PluginLoadError, match=message) as caught:
        registry.load_plugin_module("my-plugin", module_path)
    assert caught.value.name == "my-plugin"
    assert not isinstance(caught.value, registry.PluginNotInstalled)


def test_a_missing_module_is_not_installed_but_a_missing_dependency_is_a_load_error(module_dir: Path) -> None:
    with pytest.raises(registry.PluginNotInstalled, match="is not installed"):
        registry.load_plugin_module("ghost", "regtest_no_such_package.plugin")
    broken = write_module(module_dir, "import regtest_missing_dependency\n" + GOOD_MODULE)
    with pytest.raises(
        registry.PluginLoadError, match="No module named 'regtest_missing_dependency'"
    ) as caught:
        registry.load_plugin_module("broken", broken)
    assert not isinstance(caught.value, registry.PluginNotInstalled)


def test_plugin_files_are_loaded_under_their_file_name(tmp_path: Path) -> None:
    (tmp_path / "file-plugin.py").write_text(textwrap.dedent(GOOD_MODULE))
    (tmp_path / "json.py").write_text(textwrap.dedent(GOOD_MODULE))
    (tmp_path / "_private.py").write_text("raise SystemExit")
    (tmp_path / "notes.txt").write_text("not a plugin")

    assert [path.name for path in registry.plugin_files(tmp_path)] == ["file-plugin.py", "json.py"]
    plugin = registry.load_plugin_file(tmp_path / "file-plugin.py")
    assert plugin.name == "file-plugin" and plugin.phases == ("log", "access")
    registry.load_plugin_file(tmp_path / "json.py")
    import json

    assert hasattr(json, "dumps"), "a plugin file named json.py must not replace the json module"


def test_the_catalog_skips_uninstalled_defaults_and_keeps_failures_as_unavailable(
    module_dir: Path, tmp_path: Path
) -> None:
    good = write_module(module_dir, GOOD_MODULE)
    broken = write_module(module_dir, "raise RuntimeError('import-time failure')\n")
    plugin_dir = tmp_path / "dir"
    plugin_dir.mkdir()
    (plugin_dir / "good.py").write_text(textwrap.dedent(GOOD_MODULE))
    (plugin_dir / "from-dir.py").write_text(textwrap.dedent(GOOD_MODULE))
    (plugin_dir / "bad-file.py").write_text("version = '1'\n")
    warnings: list[str] = []
    errors: list[str] = []
    modules = {"good": good, "broken": broken, "ghost": "regtest_ghost_module"}

    default_catalog = registry.build_catalog(
        modules, explicit=False, plugin_dir=str(plugin_dir), warn=warnings.append, error=errors.append
    )
    assert set(default_catalog.available) == {"good", "from-dir"}
    assert default_catalog.available["good"].source == good
    assert set(default_catalog.unavailable) == {"broken"}
    assert "import-time failure" in default_catalog.unavailable["broken"]
    assert any("ghost" in w and "not served" in w for w in warnings)
    assert any("bad-file" in w for w in warnings)
    assert any("good" in w and "already served" in w for w in warnings)
    assert len(errors) == 1 and "plugin broken" in errors[0]

    errors.clear()
    explicit_catalog = registry.build_catalog(
        modules, explicit=True, warn=warnings.append, error=errors.append
    )
    assert set(explicit_catalog.unavailable) == {"broken", "ghost"}
    assert any("ghost" in e and "not installed" in e for e in errors)
