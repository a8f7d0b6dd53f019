// The configuration library: schema and types, loading with every problem reported,
// effective settings, and secret references.
export * from "./schema.js";
export { loadConfig, parseConfig, validateConfig, formatProblem, ConfigError, type ConfigProblem } from "./load.js";
export { effectiveConfig, effectivePair, defaultGatewayHost, type EffectiveConfig, type EffectivePair, type EffectiveService, type EffectiveDns, type EffectiveBackup, type EffectiveCoordination } from "./effective.js";
export { healthSettingsFrom } from "./health-settings.js";
export { resolveSecret, SecretReferenceError } from "./secrets.js";
export { secretReferences, type SecretReference } from "./secret-references.js";
export { parseArmId, APIM_SERVICE, DNS_ZONE, type ArmResourceId } from "./arm-id.js";
export { CONTROLLER_ROLES, APIM_IDENTITY_ROLES, BUILT_IN_ROLE_IDS, FORBIDDEN_ROLE_IDS, type RoleGrant, type RoleScope } from "./roles.js";
