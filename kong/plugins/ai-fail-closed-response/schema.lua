-- ai-fail-closed-response's configuration: which of our plugins must have completed their response phase.
local typedefs = require "kong.db.schema.typedefs"

-- Our plugins that have a response handler, hence a response completion mark.
local GUARDED = {
  "ai-action-authz",
  "ai-token-limiter",
  "ai-output-redactor",
}

return {
  name = "ai-fail-closed-response",
  fields = {
    { consumer = typedefs.no_consumer },
    { protocols = typedefs.protocols_http },
    { config = {
        type = "record",
        fields = {
          { marks = {
              description = "Our plugins that must have completed their response phase on this route; an "
                         .. "answer without one of their marks is replaced with a 503.",
              type = "set",
              required = true,
              len_min = 1,
              elements = { type = "string", one_of = GUARDED },
          } },
          { message = {
              description = "The message of the 503 answer.",
              type = "string",
              required = true,
              len_min = 1,
              default = "The AI gateway is temporarily unable to check this answer",
          } },
        },
    } },
  },
}
