"""Our own Lua plugins (kong/plugins/<name>/), run by the emulator from their real source with LuaJIT (lupa).

Kong loads a Lua plugin as ``require "kong.plugins.<name>.handler"`` and ``...schema`` from its
``lua_package_path``; the emulator finds the same two files under the repository's ``kong/plugins`` and
executes them in an embedded LuaJIT 2.1 (``lupa.luajit21``, the VM OpenResty uses). The schema is the real
``schema.lua`` evaluated with ``kong.db.schema.typedefs`` stubbed by the shapes Kong dumps
(``no_consumer``, ``protocols_http``), so the Admin API validates configs with the plugin's own rules.

The handler sees the subset of the PDK these plugins use, answered by the same request model the external
plugins reach over the wire:

* ``kong.ctx.shared``: the request's shared table itself (``req.ctx_shared``; read and written directly,
  as a Lua plugin indexes the table - no RPC);
* ``kong.response.exit(status, body, headers)``: the PDK call, as a bundled plugin makes it;
* ``kong.log.<level>(...)``: arguments concatenated, the line prefixed with the caller's ``file:line`` and
  the plugin name as Kong does.

Anything else the handler touches is nil, so a handler reaching beyond this subset fails loudly (a Lua
error: logged, then 500 in access, as Kong answers a thrown error) instead of passing unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lupa import luajit21

from harness.bundled_plugins import DONE, EXIT, THROWN
from harness.store import HTTP_PROTOCOLS

LUA_PLUGINS_DIR = Path(__file__).resolve().parents[2] / "kong" / "plugins"

_LOG_LEVELS = ("debug", "info", "notice", "warn", "err", "crit", "alert", "emerg")

# Kong 3.9 kong/db/schema/typedefs.lua, as /schemas/plugins/<name> dumps them.
_TYPEDEFS = """
local http = ...
return {
  no_consumer = {
    type = "foreign", reference = "consumers", eq = ngx_null,
    description = "Custom type for representing a foreign key with a null value allowed.",
  },
  protocols_http = {
    type = "set", required = true, default = http,
    elements = { type = "string", one_of = http },
    description = "A set of strings representing HTTP protocols.",
  },
}
"""

# The Lua side of the PDK subset: Python callbacks wrapped so that varargs and tables cross as Kong has them.
_PDK_FACTORY = """
local levels, shared_get, shared_set, exit, log = ...
local function concat(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[#parts + 1] = tostring((select(i, ...))) end
  return table.concat(parts)
end
local kong_log = {}
for _, level in ipairs(levels) do
  kong_log[level] = function(...)
    local caller = debug.getinfo(2, "Sl")  -- Kong's log lines name the caller's file:line
    log(level, concat(...), caller.short_src:match("[^/]*$") .. ":" .. caller.currentline)
  end
end
return {
  ctx = { shared = setmetatable({}, {
    __index = function(_, key) return shared_get(key) end,
    __newindex = function(_, key, value) shared_set(key, value) end,
  }) },
  response = { exit = function(status, body, headers) return exit(status, body, headers) end },
  log = kong_log,
}
"""


class LuaPluginError(Exception):
    """A Lua plugin's files are missing or do not load."""


def _to_python(lua: Any, value: Any) -> Any:
    """A Lua value as plain Python: ``ngx.null`` is None, a table with keys 1..n a list, any other a dict."""
    if lua.globals().type(value) != "table":
        return value
    if lua.globals().rawequal(value, lua.globals().ngx_null):
        return None
    keys = list(value.keys())
    if all(isinstance(k, int) for k in keys) and sorted(keys) == list(range(1, len(keys) + 1)):
        return [_to_python(lua, value[i]) for i in range(1, len(keys) + 1)]
    return {k: _to_python(lua, v) for k, v in value.items()}


class LuaPlugin:
    """One of our Lua plugins, as the catalog and the request runner see a bundled plugin."""

    is_external = False
    is_bundled = False  # not in Kong's `bundled` list: kong.conf must name it

    def __init__(self, name: str, directory: Path = LUA_PLUGINS_DIR) -> None:
        folder = directory / name
        handler_path, schema_path = folder / "handler.lua", folder / "schema.lua"
        if not handler_path.is_file() or not schema_path.is_file():
            raise LuaPluginError(f"{name}: no handler.lua/schema.lua in {folder}")
        self.name = name
        self.lua = luajit21.LuaRuntime(unpack_returned_tuples=True, register_eval=False)
        self.lua.execute("ngx_null = setmetatable({}, {__tostring = function() return 'null' end})")
        typedefs = self.lua.execute(_TYPEDEFS, self.lua.table_from(list(HTTP_PROTOCOLS)))
        self.lua.globals().package.loaded["kong.db.schema.typedefs"] = typedefs
        self.schema: dict[str, Any] = _to_python(self.lua, self._load(schema_path))
        self.handler = self._load(handler_path)
        self.priority = int(self.handler.PRIORITY)
        self.version = str(self.handler.VERSION)
        self.phases = [p for p in ("rewrite", "access", "response", "log") if self.handler[p] is not None]
        self._make_pdk = self.lua.execute("return function(...) " + _PDK_FACTORY + " end")

    def _load(self, path: Path) -> Any:
        run_chunk = self.lua.eval(
            "function(src, name) local f, e = load(src, name) if not f then error(e, 0) end return f() end"
        )
        try:
            return run_chunk(path.read_text(), "@" + str(path))
        except luajit21.LuaError as exc:
            raise LuaPluginError(f"{path}: {exc}") from exc

    @property
    def config_record(self) -> dict[str, Any]:
        for item in self.schema["fields"]:
            if "config" in item:
                return item["config"]
        return {"type": "record", "fields": []}

    # ------------------------------------------------------------------------------------------- requests
    def run(self, phase: str, req: Any, conf: Mapping[str, Any], plugin_ref: Any) -> str:
        """Run ``handler:<phase>(conf)`` for one request: ``done``, ``exit`` or ``thrown``."""
        method = self.handler[phase]
        if method is None:
            return DONE
        outcome = {"kind": DONE}

        def shared_get(key: Any) -> Any:
            # what an external plugin set is a Lua table in Kong (msgpack-decoded), indexed as one
            value = req.ctx_shared.get(key)
            if isinstance(value, dict | list):
                return self.lua.table_from(value, recursive=True)
            return value

        def shared_set(key: Any, value: Any) -> None:
            if value is None:
                req.ctx_shared.pop(key, None)
            else:
                req.ctx_shared[key] = _to_python(self.lua, value)

        def exit_(status: Any, body: Any = None, headers: Any = None) -> None:
            args = [status, _to_python(self.lua, body)]
            if headers is not None:
                args.append(_to_python(self.lua, headers))
            result = req.call(plugin_ref, "kong.response.exit", args)
            if result.kind == "thrown":
                raise LuaPluginError(result.error or "kong.response.exit failed")
            outcome["kind"] = EXIT if result.kind == "exit" else outcome["kind"]

        def log(level: str, message: str, location: str) -> None:
            req.kong_log(plugin_ref, "error" if level == "err" else level, message, location)

        kong = self._make_pdk(self.lua.table_from(list(_LOG_LEVELS)), shared_get, shared_set, exit_, log)
        self.lua.globals().kong = kong
        conf_table = self.lua.table_from(dict(conf), recursive=True)
        try:
            method(self.handler, conf_table)
        except Exception as exc:  # a Lua error() or a failed PDK call: Kong logs it, 500 in access
            req.fail(phase, str(exc).splitlines()[0], plugin_ref)
            return THROWN
        finally:
            self.lua.globals().kong = None
        return outcome["kind"]


def load_lua_plugins(names: list[str], directory: Path = LUA_PLUGINS_DIR) -> dict[str, LuaPlugin]:
    """The named plugins ``directory`` holds (Kong's lua_package_path lookup of ``kong.plugins.<name>``)."""
    return {
        name: LuaPlugin(name, directory) for name in names if (directory / name / "handler.lua").is_file()
    }
