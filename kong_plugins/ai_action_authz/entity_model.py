"""Our entity model in Cedar: principals, resources, actions, the request context, and each action's level.

The schema text is the single source of declarative/policies/schema.cedarschema (``kong-ai policy schema``
prints it; a test checks that the file is identical), so the plugin validates policies against exactly what
teams validate against in CI. Model and tool names are entity ids, never schema types: a new model or tool
needs no schema change.
"""

from __future__ import annotations

__all__ = ["ACTION", "ACTION_LEVELS", "CEDAR_SCHEMA", "ENDPOINT", "LEVELS", "TENANT"]

ENDPOINT = "endpoint"
TENANT = "tenant"
ACTION = "action"
LEVELS = (ENDPOINT, TENANT, ACTION)
"""Order in which a denial is reported: the broadest level that refused."""

ACTION_LEVELS: dict[str, str] = {
    "route.call": ENDPOINT,
    "model.use": TENANT,
    "feature.use": TENANT,
    "chat.create": ACTION,
    "embeddings.create": ACTION,
    "tool.offer": ACTION,
    "tool.call": ACTION,
}

CEDAR_SCHEMA = """\
// The entity model ai-action-authz hands to Cedar (kong-ai-guard). Policies are validated against it
// when they are pushed (`kong-ai policy push`), tested (`kong-ai policy test`) and when a plugin instance
// starts. Walkthrough: docs/policy.md.

// Principals. The principal of a request is its Kong consumer when the plugin reads it
// (`context_sources` has `consumer`), else its tenant (`Tenant::""` when no tenant was resolved).
// `principal in Tier::"pro"`, `principal in Tenant::"acme"` and `principal in Role::"admin"` hold for both.
entity Tier;
entity Role;
entity ConsumerGroup;
entity Tenant in [Tier, Role] {
  tenant: String,  // the tenant id ("" without a tenant)
  tier: String,    // "" without a tier
  region: String,
};
entity Consumer in [Tenant, Role, ConsumerGroup] {
  tenant: String,
  tier: String,
  region: String,
  username: String,
};

// Resources. Model and tool names are entity ids, so naming a new one needs no schema change.
entity Route;              // Route::"<route_name>" (the plugin's `route_name`, default the Kong route id)
entity Model;              // Model::"gpt-4o"
entity Feature;            // Feature::"streaming", Feature::"tools"
entity Tool;               // Tool::"<name>"
entity Arguments tags String;   // a tool call's arguments: top-level names -> values as text
entity Attributes tags String;  // the request attributes the route extracts (`attributes`)

// The request facts every decision sees.
type RequestContext = {
  method: String,       // "" unless `context_sources` has `method`
  path: String,         // "" unless `context_sources` has `path`
  format: String,       // openai-chat | openai-embeddings | anthropic-messages | mcp | custom ...
  model: String,        // "" when the body names none
  stream: Bool,
  max_tokens?: Long,    // absent when the request does not limit it
  tool_count: Long,     // tools offered to the model
  phase: String,        // "request" | "response" (a tool call in the model's output)
  attributes: Attributes,  // attributes.getTag("merchant_id")
  arguments: Arguments,    // tool.call only (empty otherwise): arguments.getTag("account")
};

// Endpoint level
action "route.call" appliesTo {
  principal: [Tenant, Consumer], resource: [Route], context: RequestContext
};
// Tenant level (entitlements)
action "model.use" appliesTo {
  principal: [Tenant, Consumer], resource: [Model], context: RequestContext
};
action "feature.use" appliesTo {
  principal: [Tenant, Consumer], resource: [Feature], context: RequestContext
};
// Action level
action "chat.create" appliesTo {
  principal: [Tenant, Consumer], resource: [Route], context: RequestContext
};
action "embeddings.create" appliesTo {
  principal: [Tenant, Consumer], resource: [Route], context: RequestContext
};
action "tool.offer" appliesTo {
  principal: [Tenant, Consumer], resource: [Tool], context: RequestContext
};
action "tool.call" appliesTo {
  principal: [Tenant, Consumer], resource: [Tool], context: RequestContext
};
"""
