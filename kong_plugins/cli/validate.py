"""``kong-ai validate FILE...``: catch mistakes in our plugins' configs before a deck file reaches Kong.

Kong checks a plugin's config against its schema when the file is loaded, but our plugins check more when
their instance starts (regular expressions, keys, cross-field rules a schema cannot say), and that happens
on the first request that needs the instance: a typo would surface as 500s in production. This command does
both up front, for every plugin entry of a deck file (``_format_version`` 3.0; 1.1 and 2.1 are accepted as
Kong accepts them) - global ``plugins`` and those nested under ``services``, their ``routes``, top-level
``routes``, ``consumers`` and ``consumer_groups`` - whose name is one of ours:

1. the entry as Kong's ``plugins`` entity (``enabled``, ``protocols``, ``tags``, ``instance_name``, ``id``,
   unknown keys), with Kong's messages, and, for an entry nested under a route or a service, Kong's check
   (kong/db/dao/plugins.lua) that its protocols share one with that route, or with a route of that service;
2. its ``config`` exactly as Kong would (:func:`~kong_plugins.core.schema.validate_config` against the
   schema the query command gives Kong), reported as Kong's ``schema violation`` fields;
3. if that passes, as the plugin will when Kong starts its instance: ``Plugin(config with defaults)``, whose
   :class:`~kong_plugins.core.errors.ConfigError` fields are reported.

Kong's bundled plugins are passed through with a note (deck and Kong check them); any other name is an error,
as Kong would refuse it. Entity paths count from 0, like deck and JSON paths
(``services[0].routes[1].plugins[0]``); field paths are Kong's and count array elements from 1
(``config.tenants.2.id``).

Nothing is sent over the network: plugin instances connect to Redis lazily, and while an instance starts
here, connections and name lookups from that thread are refused and reported as a plugin bug.

Input is untrusted: file size, entries, total config values (YAML aliases can multiply a small file) and
nesting are bounded. YAML is read with PyYAML's safe loader (a runtime dependency: deck files are YAML);
a ``.json`` file is read as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

from kong_plugins.cli import fail_closed
from kong_plugins.cli.main import EXIT_FAILED, EXIT_OK
from kong_plugins.cli.plugin_schemas import add_plugin_option, config_record, plugin_table
from kong_plugins.core.errors import ConfigError
from kong_plugins.core.schema import ENTITY_KEY, flatten_field_errors, validate_config
from kong_plugins.server.registry import LoadedPlugin, PluginLoadError, load_plugin_module

__all__ = [
    "KONG_BUNDLED_PLUGINS",
    "KONG_PROTOCOLS",
    "MAX_CONFIG_VALUES",
    "MAX_FILE_BYTES",
    "MAX_PLUGIN_ENTRIES",
    "DeckFileError",
    "DeckReport",
    "DeckValidator",
    "Finding",
    "parse_deck",
    "register",
]

#: Kong 3.9's bundled plugins (``BUNDLED_PLUGINS`` in kong/constants.lua), passed through unchecked.
KONG_BUNDLED_PLUGINS: Final = frozenset(
    {
        "acl",
        "acme",
        "ai-prompt-decorator",
        "ai-prompt-guard",
        "ai-prompt-template",
        "ai-proxy",
        "ai-request-transformer",
        "ai-response-transformer",
        "aws-lambda",
        "azure-functions",
        "basic-auth",
        "bot-detection",
        "correlation-id",
        "cors",
        "datadog",
        "file-log",
        "grpc-gateway",
        "grpc-web",
        "hmac-auth",
        "http-log",
        "ip-restriction",
        "jwt",
        "key-auth",
        "ldap-auth",
        "loggly",
        "oauth2",
        "opentelemetry",
        "post-function",
        "pre-function",
        "prometheus",
        "proxy-cache",
        "rate-limiting",
        "redirect",
        "request-size-limiting",
        "request-termination",
        "request-transformer",
        "response-ratelimiting",
        "response-transformer",
        "session",
        "standard-webhooks",
        "statsd",
        "syslog",
        "tcp-log",
        "udp-log",
        "zipkin",
    }
)

#: Kong 3.9's protocols (``PROTOCOLS`` in kong/constants.lua, sorted as Kong sorts them).
KONG_PROTOCOLS: Final = ("grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp")

FORMAT_VERSIONS: Final = ("1.1", "2.1", "3.0")
MAX_FILE_BYTES: Final = 16 * 1024 * 1024
MAX_ENTITIES: Final = 100_000
MAX_PLUGIN_ENTRIES: Final = 10_000
#: Values of all the configs of one file together; aliases make this far larger than the file itself.
MAX_CONFIG_VALUES: Final = 2_000_000
_MAX_MESSAGE_LENGTH: Final = 500

#: The plugins entity of Kong 3.9 (kong/db/schema/entities/plugins.lua), less ``name`` and ``config`` (checked
#: on their own) and the foreign keys (deck references by name, resolved by deck and Kong).
_PLUGIN_ENTITY: Final[dict[str, Any]] = {
    "type": "record",
    "fields": [
        {"id": {"type": "string", "uuid": True}},
        {"instance_name": {"type": "string"}},
        {"created_at": {"type": "integer", "timestamp": True}},
        {"updated_at": {"type": "integer", "timestamp": True}},
        {
            "protocols": {
                "type": "set",
                "required": True,
                "default": ["grpc", "grpcs", "http", "https"],
                "elements": {"type": "string", "one_of": list(KONG_PROTOCOLS)},
            }
        },
        {"enabled": {"type": "boolean", "required": True, "default": True}},
        {"tags": {"type": "set", "elements": {"type": "string", "required": True}}},
    ],
}
_NOT_ENTITY_FIELDS: Final = frozenset(
    {"name", "config", "service", "route", "consumer", "_comment", "_ignore"}
)

#: Kong 3.9's default ``protocols`` of a route (kong/db/schema/entities/routes.lua).
ROUTE_DEFAULT_PROTOCOLS: Final = ("http", "https")
_ROUTE_MISMATCH: Final = "protocols: must match the associated route's protocols"
_SERVICE_MISMATCH: Final = (
    "protocols: must match the protocols of at least one route pointing to this Plugin's service"
)

#: Entities of a deck file that may hold plugins, and the nested lists each may have.
_NESTED: Final[dict[str, tuple[str, ...]]] = {
    "services": ("routes", "plugins"),
    "routes": ("plugins",),
    "consumers": ("plugins",),
    "consumer_groups": ("plugins",),
}
_TOP_LEVEL: Final = ("plugins", "services", "routes", "consumers", "consumer_groups")

_NETWORK_EVENTS: Final = frozenset(
    {
        "socket.connect",
        "socket.sendto",
        "socket.sendmsg",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
    }
)


def register(subparsers: Any) -> None:
    """Add the ``validate`` command."""
    parser = subparsers.add_parser(
        "validate",
        help="check the kong-ai-guard plugin entries of deck files",
        description="Check every kong-ai-guard plugin entry of deck files as Kong will (schema) and as the "
        "plugin will when its instance starts. Exit 0 when valid, 1 otherwise. Never contacts Redis or Kong.",
        epilog="Entity paths count from 0 (services[0].routes[1].plugins[0]); field paths are Kong's, "
        "counting array elements from 1 (config.tenants.2.id).",
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="deck file (YAML, or JSON when named *.json)"
    )
    add_plugin_option(parser, honours_env=True)
    parser.set_defaults(handler=_run)


# ------------------------------------------------------------------------------------------------------------
# Findings
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One problem (or, when ``is_error`` is false, a note) at ``location`` of a deck file."""

    location: str
    message: str
    is_error: bool = True

    def __str__(self) -> str:
        message = _printable(self.message, _MAX_MESSAGE_LENGTH)
        text = message if self.is_error else f"note: {message}"
        return f"{self.location}: {text}" if self.location else text


@dataclass
class DeckReport:
    """What checking one deck file found, and how many plugin entries were checked or passed through."""

    findings: list[Finding] = field(default_factory=list)
    checked: int = 0
    passed_through: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.is_error]

    def error(self, location: str, message: str) -> None:
        self.findings.append(Finding(location, message))

    def note(self, location: str, message: str) -> None:
        self.findings.append(Finding(location, message, is_error=False))

    def summary(self) -> str:
        ours = f"{self.checked} kong-ai-guard plugin entr{'y' if self.checked == 1 else 'ies'} valid"
        if not self.passed_through:
            return ours
        other = f"{self.passed_through} other plugin entr{'y' if self.passed_through == 1 else 'ies'}"
        return f"{ours}, {other} not checked"


class _TooMuch(Exception):
    """The file asks for more work than :data:`MAX_ENTITIES` / :data:`MAX_CONFIG_VALUES` allow."""


# ------------------------------------------------------------------------------------------------------------
# Reading files
# ------------------------------------------------------------------------------------------------------------


class DeckFileError(Exception):
    """The file cannot be read or parsed; ``str()`` says why, with line and column when known."""


class _DeckLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that dates stay strings: Kong's lyaml and deck build no date objects."""


_DeckLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_deck(data: bytes, filename: str) -> Any:
    """The document of a deck file: JSON when ``filename`` ends in ``.json``, else YAML (a JSON superset)."""
    if len(data) > MAX_FILE_BYTES:
        raise DeckFileError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeckFileError(f"not UTF-8 text (byte {exc.start})") from exc
    try:
        if filename.lower().endswith(".json"):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise DeckFileError(
                    f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
                ) from exc
        try:
            return yaml.load(text, Loader=_DeckLoader)  # a SafeLoader: no Python objects
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            problem = exc.problem or exc.context or "unreadable"
            raise DeckFileError(f"invalid YAML{where}: {problem}") from exc
        except yaml.YAMLError as exc:
            raise DeckFileError(f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise DeckFileError("nested too deeply") from exc


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DeckFileError(f"cannot read the file: {exc.strerror or exc}") from exc


# ------------------------------------------------------------------------------------------------------------
# Starting plugin instances safely
# ------------------------------------------------------------------------------------------------------------


class _NetworkBlock:
    """Refuses network access from the thread that starts a plugin instance, and remembers each attempt.

    Uses an audit hook (``socket.connect``, ``socket.getaddrinfo``...), the one place every socket operation
    goes through whatever library makes it. The hook cannot be removed; outside :meth:`blocking` it only
    compares one attribute. Threads that a plugin starts are not covered.
    """

    def __init__(self) -> None:
        self._installed = False
        self._thread: int | None = None
        self.attempts: list[str] = []

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if self._thread is None or event not in _NETWORK_EVENTS or threading.get_ident() != self._thread:
            return
        target = args[1] if event in ("socket.connect", "socket.sendto", "socket.sendmsg") else args[0]
        self.attempts.append(f"{event} {target!r}"[:200])
        raise PermissionError(
            f"kong-ai validate: network access refused while a plugin instance starts ({event})"
        )

    @contextmanager
    def blocking(self) -> Iterator[list[str]]:
        if not self._installed:
            sys.addaudithook(self._hook)
            self._installed = True
        self.attempts = []
        self._thread = threading.get_ident()
        try:
            yield self.attempts
        finally:
            self._thread = None


_NETWORK = _NetworkBlock()


@contextmanager
def _quiet_logging() -> Iterator[None]:
    """Plugins log a refused config at ERROR; here it is a finding, printed once, not a log line."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(previous)


# ------------------------------------------------------------------------------------------------------------
# Checking
# ------------------------------------------------------------------------------------------------------------


def _printable(text: str, limit: int) -> str:
    """Text from the file made safe for a terminal: control characters escaped, length bounded.

    Kong's messages quote the offending value (``invalid value: ...``), and that value is untrusted.
    """
    if not text.isprintable():
        text = "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _shown(name: str) -> str:
    """A plugin name from the file, as printed in a finding's location."""
    return _printable(name, 100)


def _field_messages(errors: Any, prefix: str) -> Iterator[str]:
    """Kong's error table of one field as ``path: message`` lines (entity-check messages at the record)."""
    for path, message in flatten_field_errors(errors, prefix).items():
        if path.endswith(f".{ENTITY_KEY}"):
            record_path = path[: -len(ENTITY_KEY) - 1]
            for item in message if isinstance(message, list) else [message]:
                yield f"{record_path}: {item}"
        else:
            yield f"{path}: {message}"


class DeckValidator:
    """Checks deck files against one plugin table (name -> module), loading each plugin once."""

    def __init__(self, plugin_modules: Mapping[str, str]) -> None:
        self.plugin_modules = dict(plugin_modules)
        self._loaded: dict[str, LoadedPlugin | str] = {}

    def validate_file(self, path: str | Path) -> DeckReport:
        """Check one file; unreadable or unparsable files are one finding."""
        path = Path(path)
        try:
            document = parse_deck(_read(path), path.name)
        except DeckFileError as exc:
            report = DeckReport()
            report.error("", str(exc))
            return report
        return self.validate_document(document)

    def validate_document(self, document: Any) -> DeckReport:
        """Check a parsed deck document."""
        report = DeckReport()
        if document is None:
            report.error("", "the file is empty")
            return report
        if not isinstance(document, dict):
            report.error("", "expected a record at the top (a deck file is a YAML or JSON object)")
            return report
        version = document.get("_format_version")
        if version is None:
            report.error("_format_version", "required field missing")
        elif version not in FORMAT_VERSIONS:
            report.error("_format_version", f"expected one of: {', '.join(FORMAT_VERSIONS)}")
        budget = {"entities": MAX_ENTITIES, "plugins": MAX_PLUGIN_ENTRIES, "values": MAX_CONFIG_VALUES}
        try:
            for kind in _TOP_LEVEL:
                if kind in document:
                    self._walk(kind, document[kind], kind, report, budget)
        except _TooMuch as exc:
            report.error("", f"{exc}: the rest of the file is not checked")
            return report
        for location, message, is_error in fail_closed.scope_findings(document):
            (report.error if is_error else report.note)(location, message)
        return report

    # -- the file's structure -----------------------------------------------------------------------------

    def _walk(
        self,
        kind: str,
        entries: Any,
        path: str,
        report: DeckReport,
        budget: dict[str, int],
        parent: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        if entries is None:  # `plugins:` with nothing under it
            return
        if not isinstance(entries, list):
            report.error(path, "expected an array")
            return
        for index, entry in enumerate(entries):
            where = f"{path}[{index}]"
            budget["entities"] -= 1
            if budget["entities"] < 0:
                raise _TooMuch(f"more than {MAX_ENTITIES} entities")
            if kind == "plugins":
                budget["plugins"] -= 1
                if budget["plugins"] < 0:
                    raise _TooMuch(f"more than {MAX_PLUGIN_ENTRIES} plugin entries")
                self._check_plugin(where, entry, report, budget, parent)
                continue
            if not isinstance(entry, dict):
                report.error(where, "expected a record")
                continue
            for child in _NESTED[kind]:
                if child in entry:
                    self._walk(child, entry[child], f"{where}.{child}", report, budget, (kind, entry))

    # -- one plugin entry ---------------------------------------------------------------------------------

    def _check_plugin(
        self,
        where: str,
        entry: Any,
        report: DeckReport,
        budget: dict[str, int],
        parent: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        if not isinstance(entry, dict):
            report.error(where, "expected a record")
            return
        name = entry.get("name")
        if name is None:
            report.error(where, "name: required field missing")
            return
        if not isinstance(name, str):
            report.error(where, "name: expected a string")
            return
        label = f"{where} ({_shown(name)})"
        if name in self.plugin_modules:
            self._check_ours(label, name, entry, report, budget, parent)
        elif name in fail_closed.GUARDS:
            _spend(budget, entry.get("config"))
            problems = fail_closed.entity_errors(entry) + fail_closed.config_errors(entry.get("config"), name)
            if parent is not None and parent[0] in ("consumers", "consumer_groups"):
                problems.append("consumer: value must be null (the guard is set per route or service)")
            for problem in problems:
                report.error(label, problem)
            if not problems:
                report.checked += 1
        elif name in KONG_BUNDLED_PLUGINS:
            report.passed_through += 1
            report.note(label, "bundled with Kong, not checked by kong-ai validate")
        else:
            ours = ", ".join(sorted(self.plugin_modules)) or "none"
            report.error(
                label,
                f"unknown plugin: neither one of ours ({ours}) nor bundled with Kong 3.9; Kong would refuse "
                f"it (plugin '{_shown(name)}' not enabled; add it to the 'plugins' configuration property)",
            )

    def _plugin(self, name: str) -> LoadedPlugin | str:
        """The loaded plugin, or why it cannot be loaded (cached: one import per plugin and run)."""
        if name not in self._loaded:
            try:
                self._loaded[name] = load_plugin_module(name, self.plugin_modules[name])
            except PluginLoadError as exc:
                self._loaded[name] = f"{exc.reason}; Kong would refuse this entry"
        return self._loaded[name]

    def _check_ours(
        self,
        label: str,
        name: str,
        entry: dict[str, Any],
        report: DeckReport,
        budget: dict[str, int],
        parent: tuple[str, dict[str, Any]] | None,
    ) -> None:
        plugin = self._plugin(name)
        if isinstance(plugin, str):
            report.error(label, plugin)
            return
        errors_before = len(report.errors)
        entity = {key: value for key, value in entry.items() if key not in _NOT_ENTITY_FIELDS}
        normalized_entity, entity_errors = validate_config(_PLUGIN_ENTITY, entity)
        if isinstance(entity_errors, dict):
            for key in sorted(entity_errors, key=str):
                for line in _field_messages(entity_errors[key], str(key)):
                    report.error(label, line)
        if not entity_errors and parent is not None:
            mismatch = _protocols_mismatch(normalized_entity.get("protocols") or [], parent)
            if mismatch:
                report.error(label, mismatch)
        config = entry.get("config")
        _spend(budget, config)
        normalized, config_errors = validate_config(
            config_record(plugin.schema), config, explicit_null="config" in entry and config is None
        )
        if config_errors:
            for line in _field_messages(config_errors, "config"):
                report.error(label, line)
            return  # the instance would refuse it the same way: one report is enough
        self._start_instance(label, plugin, normalized, report)
        if len(report.errors) == errors_before:
            report.checked += 1

    def _start_instance(
        self, label: str, plugin: LoadedPlugin, config: dict[str, Any], report: DeckReport
    ) -> None:
        """``Plugin(config)`` as kong-pdk calls it when Kong starts the instance; report what it refuses."""
        with _quiet_logging(), _NETWORK.blocking() as attempts:
            try:
                plugin.plugin_class(config)
            except ConfigError as exc:
                fields = exc.fields or {}
                for path in sorted(fields):
                    message = fields[path]
                    messages = message if isinstance(message, list) else [message]
                    for item in messages:
                        report.error(label, f"{path}: {item}")
                if not fields:
                    report.error(label, exc.message)
            except Exception as exc:
                if not attempts:
                    report.error(label, f"the plugin failed to start: {type(exc).__name__}: {exc}")
        if attempts:
            report.error(
                label,
                f"the plugin tried to use the network when its instance started ({attempts[0]}); instances "
                "must connect lazily: this is a bug in the plugin",
            )


def _protocols_mismatch(protocols: list[Any], parent: tuple[str, dict[str, Any]]) -> str | None:
    """Kong's ``check_protocols_match`` for an entry nested under a route or a service (deck sends the
    plugin with its protocols, defaults filled, so they are always checked)."""
    kind, entity = parent

    def route_protocols(route: Any) -> set[Any]:
        value = route.get("protocols") if isinstance(route, dict) else None
        if not isinstance(value, list):
            return set(ROUTE_DEFAULT_PROTOCOLS)
        return {item for item in value if isinstance(item, str)}

    if kind == "routes":
        return None if route_protocols(entity) & set(protocols) else _ROUTE_MISMATCH
    if kind == "services":
        routes = entity.get("routes")
        if not isinstance(routes, list) or not routes:
            return None  # a service without routes (in this file) passes, as in Kong
        if any(route_protocols(route) & set(protocols) for route in routes):
            return None
        return _SERVICE_MISMATCH
    return None


def _spend(budget: dict[str, int], value: Any) -> None:
    """Count ``value``'s values against the file's budget (iteratively, stopping as soon as it runs out)."""
    stack = [value]
    remaining = budget["values"]
    while stack:
        item = stack.pop()
        remaining -= 1
        if remaining < 0:
            raise _TooMuch(f"more than {MAX_CONFIG_VALUES} config values in plugin entries")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    budget["values"] = remaining


# ------------------------------------------------------------------------------------------------------------
# The command
# ------------------------------------------------------------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    modules, _explicit = plugin_table(args, os.environ)
    validator = DeckValidator(modules)
    problems = 0
    failed_files = 0
    for file_name in args.files:
        report = validator.validate_file(file_name)
        for finding in report.findings:
            print(f"{file_name}: {finding}")
        if report.errors:
            problems += len(report.errors)
            failed_files += 1
        else:
            print(f"{file_name}: ok ({report.summary()})")
    if problems:
        print(
            f"kong-ai validate: {problems} problem{'s' if problems != 1 else ''} in {failed_files} "
            f"file{'s' if failed_files != 1 else ''}"
        )
        return EXIT_FAILED
    return EXIT_OK
