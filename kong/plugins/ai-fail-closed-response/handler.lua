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

local AiFailClosedResponse = {
  PRIORITY = 999,
  VERSION = "0.1.0",
}


function AiFailClosedResponse:response(conf)
  local shared = kong.ctx.shared
  for _, plugin in ipairs(conf.marks) do
    if shared[MARK_PREFIX .. plugin .. ".response"] ~= true then
      kong.log.err("refusing the answer: ", plugin, " did not complete its response phase ",
                   "(plugin server down, timed out or failed)")
      return kong.response.exit(503, { message = conf.message })
    end
  end
end


return AiFailClosedResponse
