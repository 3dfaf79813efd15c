-- ai-fail-closed's configuration: which of our plugins must have completed their access phase.
local typedefs = require "kong.db.schema.typedefs"

-- Our plugins that have an access handler, hence an access completion mark.
local GUARDED = {
  "ai-tenant-resolver",
  "ai-input-guard",
  "ai-action-authz",
  "ai-token-limiter",
  "ai-token-limiter-stream",
  "ai-output-redactor",
  "ai-audit-log",
}

return {
  name = "ai-fail-closed",
  fields = {
    { consumer = typedefs.no_consumer },
    { protocols = typedefs.protocols_http },
    { config = {
        type = "record",
        fields = {
          { marks = {
              description = "Our plugins that must have completed their access phase on this route; a "
                         .. "request without one of their marks is refused with 503.",
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
              default = "The AI gateway is temporarily unable to check this request",
          } },
        },
    } },
  },
}
