-- ai-fail-closed: refuse (503) a request whose kong-ai-guard plugins did not complete their access phase.
--
-- Kong fails OPEN on an external plugin once its instance exists: when the plugin server has died, timed
-- out or answered an RPC error, Kong logs the error and goes on as if the plugin did nothing
-- (kong/runloop/plugin_servers/rpc/mp_rpc.lua Rpc:call). For a tenant, input or authz check that is a
-- bypass. This plugin runs inside Kong, without the plugin server: each of our Python plugins sets
-- kong.ctx.shared["ai_guard.done.<plugin>.access"] = true as the last step of an access handler that
-- completed without answering the client (kong_plugins/core/completion.py); the plugin server's
-- kong.ctx.shared.set writes this very table (plugin_servers/plugin.lua exposed_api). kong.ctx.shared lives
-- in ngx.ctx under a private key (pdk/ctx.lua) and is per request: no client can write it.
--
-- PRIORITY 999 runs it after every access handler of ours (the lowest, ai-audit-log, is 1000) and before
-- acl (950). It has no response handler on purpose: a `response` handler makes Kong buffer every response
-- of the route (plugins_iterator.lua sets ctx.buffered_proxying), which would end streaming; the response
-- phase has its own guard, ai-fail-closed-response, for routes that are buffered anyway.

local MARK_PREFIX = "ai_guard.done."

local AiFailClosed = {
  PRIORITY = 999,
  VERSION = "0.1.0",
}


function AiFailClosed:access(conf)
  local shared = kong.ctx.shared
  for _, plugin in ipairs(conf.marks) do
    if shared[MARK_PREFIX .. plugin .. ".access"] ~= true then
      kong.log.err("refusing the request: ", plugin, " did not complete its access phase ",
                   "(plugin server down, timed out or failed)")
      return kong.response.exit(503, { message = conf.message })
    end
  end
end


return AiFailClosed
