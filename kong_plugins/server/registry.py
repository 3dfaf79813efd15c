"""Which plugins the server offers, and how a plugin module is loaded and described to Kong.

A plugin is a standard kong-pdk plugin module: a ``Plugin`` class (``__init__(self, config)``, one method
``(self, kong)`` per phase), ``Schema`` (the config fields), ``version`` (``"x.y.z"``) and ``priority`` (int).
A module may also export ``SCHEMA_DUMP``, the full ``{"name", "fields": [{"config": {...}}]}`` table with
``entity_checks``, which the dump prefers over wrapping ``Schema``.

The table of plugins is :data:`PLUGIN_MODULES`. It can be replaced, for tests or a partial deployment, with
repeated ``--plugin NAME=MODULE`` flags or the ``KONG_AI_PLUGINS="name=module,name2=module2"`` environment
variable (flags win over the variable, either replaces the whole table). Modules are imported lazily: asking
for one plugin (``--dump NAME``) imports only that one.

Validation happens here, at load time, because Kong only finds out later and less clearly: a ``version`` that
is not ``x.y.z`` or a non-integer ``priority`` makes Kong refuse the plugin ("cannot be loaded because its
VERSION field ..."), and a dump that is not JSON makes Kong refuse to start.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

#: Kong plugin name → Python module that implements it.
PLUGIN_MODULES: dict[str, str] = {
    "ai-tenant-resolver": "kong_plugins.ai_tenant_resolver",
    "ai-input-guard": "kong_plugins.ai_input_guard",
    "ai-action-authz": "kong_plugins.ai_action_authz",
    "ai-token-limiter": "kong_plugins.ai_token_limiter",
    "ai-token-limiter-stream": "kong_plugins.ai_token_limiter_stream",
    "ai-output-redactor": "kong_plugins.ai_output_redactor",
    "ai-audit-log": "kong_plugins.ai_audit_log",
}

#: Environment variable that replaces :data:`PLUGIN_MODULES` (``name=module.path,name2=module.path2``).
PLUGINS_ENV_VAR = "KONG_AI_PLUGINS"

#: Phases an external plugin can implement, in kong-pdk's order (so our dumps match kong-pdk's byte for byte).
#: Kong has no ``header_filter``/``body_filter`` for external plugins, so ``response`` is always allowed.
PHASES: tuple[str, ...] = ("certificate", "rewrite", "log", "access", "preread", "response")

_PLUGIN_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
_MODULE_PATH_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")
#: Modules loaded from ``-d DIR`` live under this prefix so that a plugin file named ``json.py`` cannot shadow
#: the real ``json`` module (kong-pdk registers it under its bare name).
_DIR_MODULE_PREFIX = "kong_ai_pluginserver_dir"


class PluginLoadError(Exception):
    """A plugin cannot be offered to Kong; ``str()`` says which plugin and why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"plugin {name}: {reason}")
        self.name = name
        self.reason = reason


class PluginNotInstalled(PluginLoadError):
    """The plugin's module itself does not exist (as opposed to existing and failing to import)."""


@dataclass(frozen=True)
class LoadedPlugin:
    """One plugin, validated, with everything Kong's query command and the runtime need."""

    name: str
    source: str
    plugin_class: type
    phases: tuple[str, ...]
    priority: int
    version: str
    schema: dict[str, Any]

    def info(self) -> dict[str, Any]:
        """The plugin's entry in the query command's output, in kong-pdk's shape."""
        return {
            "Name": self.name,
            "Phases": list(self.phases),
            "Priority": self.priority,
            "Version": self.version,
            "Schema": self.schema,
        }


@dataclass
class PluginCatalog:
    """Plugins that loaded, and plugins that are configured but could not be loaded (with the reason).

    An unavailable plugin is still known so that ``StartInstance`` for it fails with a clear error: Kong then
    answers 500 for requests that need it (fail closed) instead of running without it.
    """

    available: dict[str, LoadedPlugin] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)

    def add(self, plugin: LoadedPlugin) -> bool:
        """Register ``plugin`` unless its name is taken (the first one wins, as in Kong)."""
        if plugin.name in self.available or plugin.name in self.unavailable:
            return False
        self.available[plugin.name] = plugin
        return True


def parse_plugin_spec(spec: str) -> tuple[str, str]:
    """``"ai-foo=pkg.module"`` → ``("ai-foo", "pkg.module")``; raises ``ValueError`` on anything else."""
    name, sep, module_path = spec.partition("=")
    name, module_path = name.strip(), module_path.strip()
    if not sep or not _PLUGIN_NAME_RE.match(name) or not _MODULE_PATH_RE.match(module_path):
        raise ValueError(f"bad plugin spec {spec!r}: expected NAME=python.module.path")
    return name, module_path


def parse_plugin_specs(specs: Iterable[str]) -> dict[str, str]:
    """Parse several ``NAME=MODULE`` specs, refusing a name given twice."""
    modules: dict[str, str] = {}
    for spec in specs:
        name, module_path = parse_plugin_spec(spec)
        if name in modules:
            raise ValueError(f"plugin {name} is given twice")
        modules[name] = module_path
    return modules


def select_plugin_modules(
    cli_specs: Sequence[str], environ: Mapping[str, str]
) -> tuple[dict[str, str], bool]:
    """The plugin table to use, and whether it was chosen explicitly (flags, then env, else the default).

    An explicit table makes a missing module an error; the default table skips plugins not installed yet.
    """
    if cli_specs:
        return parse_plugin_specs(cli_specs), True
    from_env = environ.get(PLUGINS_ENV_VAR, "").strip()
    if from_env:
        return parse_plugin_specs(part for part in from_env.split(",") if part.strip()), True
    return dict(PLUGIN_MODULES), False


def describe_module(name: str, module: ModuleType, source: str) -> LoadedPlugin:
    """Validate a kong-pdk plugin module and describe it; raises :class:`PluginLoadError`."""
    plugin_class = getattr(module, "Plugin", None)
    if not isinstance(plugin_class, type):
        raise PluginLoadError(name, f"{source} has no Plugin class")
    version = getattr(module, "version", None)
    if not isinstance(version, str) or not _VERSION_RE.match(version):
        raise PluginLoadError(
            name,
            f"{source}: version must be an 'x.y.z' string (else Kong refuses the plugin), got {version!r}",
        )
    priority = getattr(module, "priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise PluginLoadError(name, f"{source}: priority must be an integer, got {priority!r}")
    phases = tuple(phase for phase in PHASES if callable(getattr(plugin_class, phase, None)))
    schema = _schema_of(name, module, source)
    return LoadedPlugin(name, source, plugin_class, phases, priority, version, schema)


def _schema_of(name: str, module: ModuleType, source: str) -> dict[str, Any]:
    dumped = getattr(module, "SCHEMA_DUMP", None)
    if dumped is not None:
        if not isinstance(dumped, Mapping) or not isinstance(dumped.get("fields"), list | tuple):
            raise PluginLoadError(name, f"{source}: SCHEMA_DUMP must be a dict with a 'fields' list")
        if dumped.get("name", name) != name:
            raise PluginLoadError(name, f"{source}: SCHEMA_DUMP names plugin {dumped.get('name')!r}")
        schema: dict[str, Any] = {"name": name, **{k: v for k, v in dumped.items() if k != "name"}}
    else:
        fields = getattr(module, "Schema", [])
        if not isinstance(fields, list | tuple):
            raise PluginLoadError(name, f"{source}: Schema must be a list of fields")
        schema = {"name": name, "fields": [{"config": {"type": "record", "fields": list(fields)}}]}
    try:
        # Round-trip through JSON: the dump must be JSON, and tuples become lists exactly as Kong sees them.
        result: dict[str, Any] = json.loads(json.dumps(schema))
    except (TypeError, ValueError) as exc:
        raise PluginLoadError(name, f"{source}: schema is not JSON-serialisable: {exc}") from exc
    return result


def load_plugin_module(name: str, module_path: str) -> LoadedPlugin:
    """Import ``module_path`` and describe it as plugin ``name``.

    Raises :class:`PluginNotInstalled` when the module itself does not exist, and :class:`PluginLoadError`
    (with the traceback in the reason) when it exists but fails to import or is not a valid plugin.
    """
    if not _PLUGIN_NAME_RE.match(name):
        raise PluginLoadError(name, "invalid plugin name")
    try:
        module = importlib.import_module(module_path)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == module_path or module_path.startswith(missing + "."):
            raise PluginNotInstalled(name, f"module {module_path} is not installed") from exc
        raise PluginLoadError(name, f"importing {module_path} failed:\n{traceback.format_exc()}") from exc
    except Exception as exc:
        raise PluginLoadError(name, f"importing {module_path} failed:\n{traceback.format_exc()}") from exc
    return describe_module(name, module, module_path)


def plugin_files(directory: str | Path) -> list[Path]:
    """The plugin files of a kong-pdk ``-d`` directory: ``*.py``, one plugin each, named after the file."""
    root = Path(directory)
    if not root.is_dir():
        raise NotADirectoryError(f"plugins directory {root} does not exist")
    return sorted(
        path
        for path in root.iterdir()
        if path.suffix == ".py" and path.is_file() and not path.name.startswith(("_", "."))
    )


def load_plugin_file(path: str | Path) -> LoadedPlugin:
    """Load one kong-pdk plugin file (plugin name = file name without ``.py``), as kong-pdk's ``-d`` does."""
    path = Path(path)
    name = path.stem
    if not _PLUGIN_NAME_RE.match(name):
        raise PluginLoadError(name, f"{path}: file name is not a valid plugin name")
    module_name = f"{_DIR_MODULE_PREFIX}.{name.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PluginLoadError(name, f"{path} cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise PluginLoadError(name, f"loading {path} failed:\n{traceback.format_exc()}") from exc
    return describe_module(name, module, str(path))


def build_catalog(
    modules: Mapping[str, str],
    *,
    explicit: bool,
    plugin_dir: str | None = None,
    warn: Callable[[str], None],
    error: Callable[[str], None],
) -> PluginCatalog:
    """Load every configured plugin for serving, never raising for one bad plugin.

    A plugin of the default table that is not installed is skipped (``warn``); any other failure is recorded
    as unavailable (``error``) so that Kong gets an error for it (500 for its requests) rather than a silent
    absence.
    Plugins of ``plugin_dir`` come after the table; a name already taken is skipped with a warning.
    """
    catalog = PluginCatalog()
    for name, module_path in modules.items():
        try:
            catalog.add(load_plugin_module(name, module_path))
        except PluginNotInstalled as exc:
            if explicit:
                catalog.unavailable[name] = exc.reason
                error(f"{exc}; its StartInstance calls will fail")
            else:
                warn(f"{exc}; not served")
        except PluginLoadError as exc:
            catalog.unavailable[name] = exc.reason
            error(f"{exc}\n(its StartInstance calls will fail)")
    if plugin_dir:
        for path in plugin_files(plugin_dir):
            try:
                plugin = load_plugin_file(path)
            except PluginLoadError as exc:
                warn(f"error loading plugin {exc.name!r} from {path}: {exc.reason}")
                continue
            if not catalog.add(plugin):
                warn(f"plugin {plugin.name} from {path} ignored: that name is already served")
    return catalog
