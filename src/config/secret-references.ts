import type { ApimDrConfig } from "./schema.js";

export interface SecretReference {
  /** Environment variable holding the secret. */
  envVar: string;
  /** The config field that names it, e.g. `pairs[0].backup.access.accessKeyEnv`. */
  usedBy: string;
  /** What the value must look like. */
  kind: "storageAccountKey" | "eventHubsConnectionString" | "webhookUrl" | "hmacKey";
}

/**
 * What is wrong with the value of a secret's environment variable, or null. Checks the format only:
 * whether the key is the right one shows when the controller uses it.
 */
export function secretProblem(ref: SecretReference, value: string | undefined): string | null {
  const where = `${ref.usedBy}: environment variable ${ref.envVar}`;
  if (value === undefined) return `${where} is not set; export it before starting the controller`;
  if (!value.trim()) return `${where} is set but empty; export the secret itself`;
  if (ref.kind === "eventHubsConnectionString") {
    const parts = new Map(
      value.split(";").filter(Boolean).map((part) => {
        const at = part.indexOf("=");
        return [at < 0 ? part.trim() : part.slice(0, at).trim(), at < 0 ? "" : part.slice(at + 1)] as const;
      }),
    );
    const missing = ["Endpoint", "SharedAccessKeyName", "SharedAccessKey"].filter((key) => !parts.get(key));
    if (missing.length) {
      return `${where} is not an Event Hubs connection string: it has no ${missing.map((k) => `${k}=`).join(", ")}; copy it from the namespace's or hub's Shared access policies (Endpoint=sb://NAMESPACE.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...)`;
    }
    if (!/^sb:\/\//.test(parts.get("Endpoint")!)) return `${where}: Endpoint must be sb://NAMESPACE.servicebus.windows.net/, got '${parts.get("Endpoint")}'`;
  }
  if (ref.kind === "storageAccountKey" && !/^[A-Za-z0-9+/]+={0,2}$/.test(value.trim())) {
    return `${where} is not a storage account key (base64, as shown under the account's Access keys)${value.includes("AccountKey=") ? ": it looks like a connection string; export only the AccountKey value" : ""}`;
  }
  // The URL is a credential itself: say what is wrong without echoing it.
  if (ref.kind === "webhookUrl" && !(URL.canParse(value.trim()) && ["https:", "http:"].includes(new URL(value.trim()).protocol))) {
    return `${where} is not an http(s) URL; export the webhook URL the receiving service gave you`;
  }
  return null;
}

/** Every environment variable a config refers to for a secret, so a start-up check can find unset ones at once. */
export function secretReferences(config: ApimDrConfig): SecretReference[] {
  const refs: SecretReference[] = [];
  config.pairs.forEach((pair, i) => {
    if (pair.backup.access.type === "accessKey") {
      refs.push({ envVar: pair.backup.access.accessKeyEnv, usedBy: `pairs[${i}].backup.access.accessKeyEnv`, kind: "storageAccountKey" });
    }
  });
  const hubs = config.signals.eventHubs;
  if (hubs?.connectionStringEnv) refs.push({ envVar: hubs.connectionStringEnv, usedBy: "signals.eventHubs.connectionStringEnv", kind: "eventHubsConnectionString" });
  if (config.stateStore.type === "blob" && config.stateStore.auth.type === "accountKey") {
    refs.push({ envVar: config.stateStore.auth.accountKeyEnv, usedBy: "stateStore.auth.accountKeyEnv", kind: "storageAccountKey" });
  }
  config.notifications?.targets.forEach((t, i) => {
    refs.push({ envVar: t.urlEnv, usedBy: `notifications.targets[${i}].urlEnv`, kind: "webhookUrl" });
    if (t.secretEnv) refs.push({ envVar: t.secretEnv, usedBy: `notifications.targets[${i}].secretEnv`, kind: "hmacKey" });
  });
  return refs;
}
