-- ai-fail-closed-response: refuse (503) an answer whose kong-ai-guard response-phase plugins did not complete.
--
-- The response-phase twin of ai-fail-closed (see its handler.lua for the marks and why a client cannot forge
-- them). When the plugin server dies or fails between access and response, Kong skips our response handlers
-- and sends the upstream's answer as it came: unredacted (ai-output-redactor), with tool calls unchecked
-- (ai-action-authz). This plugin answers 503 instead when a required "ai_guard.done.<plugin>.response" mark
-- is missing.
--
-- A separate plugin because a `response` handler makes Kong buffer every response of the route
-- (runloop/plugins_iterator.lua sets ctx.buffered_proxying when a configured plugin has one): put it only on
-- routes that a response-phase plugin of ours buffers already. PRIORITY 999: after every response handler
-- of ours (the lowest, ai-output-redactor, is 1002).

local MARK_PREFIX = "ai_guard.done."
local NAME = "ai-fail-closed-response"

local AiFailClosedResponse = {
  PRIORITY = 999,
  VERSION = "0.1.0",
}


-- Announce that this plugin finishes answers: a kong-ai-guard plugin that replaces the answer in the response
-- phase (ai-action-authz stripping tool calls, ai-output-redactor redacting) leaves it in
-- kong.ctx.shared.ai_guard.reply instead of sending it, so that every later response handler still runs and
-- this guard checks the marks before it is sent (kong_plugins/core/reply.py). Set in the ai_guard entry that
-- our plugins read in the response phase anyway: this access handler runs after all of theirs (PRIORITY).
function AiFailClosedResponse:access(conf)
  local shared = kong.ctx.shared
  local entry = shared.ai_guard
  if type(entry) ~= "table" then
    entry = {}
  end
  entry.finisher = NAME
  shared.ai_guard = entry
end


function AiFailClosedResponse:response(conf)
  local shared = kong.ctx.shared
  for _, plugin in ipairs(conf.marks) do
    if shared[MARK_PREFIX .. plugin .. ".response"] ~= true then
      kong.log.err("refusing the answer: ", plugin, " did not complete its response phase ",
                   "(plugin server down, timed out or failed)")
      return kong.response.exit(503, { message = conf.message })
    end
  end
  local entry = shared.ai_guard
  local reply = type(entry) == "table" and entry.reply or nil
  if type(reply) == "table" and type(reply.status) == "number" and type(reply.body) == "string" then
    -- the replaced answer (stripped, refused, redacted), every response duty done: sent now
    local headers = type(reply.headers) == "table" and reply.headers or nil
    return kong.response.exit(reply.status, reply.body, headers)
  end
end


return AiFailClosedResponse
