import { envVarPattern } from "./fields.js";

// Keys that would hold a secret inline, and what to write instead.
const inlineSecretKeys: Record<string, string> = {
  accesskey: "put the key in an environment variable and set accessKeyEnv: NAME",
  accountkey: "put the key in an environment variable and set accountKeyEnv: NAME",
  connectionstring: "put the connection string in an environment variable and set connectionStringEnv: NAME",
  sastoken: "use a managed identity (systemAssignedManagedIdentity or userAssignedManagedIdentity) or an access key from an environment variable (accessKeyEnv: NAME)",
  token: "let the controller get tokens from azure.credential (managed identity or workload identity)",
  clientsecret: "use azure.credential with type managedIdentity or workloadIdentity, or DefaultAzureCredential's AZURE_CLIENT_SECRET environment variable",
  password: "put it in an environment variable and reference the variable by name",
  secret: "put it in an environment variable and reference the variable by name",
};

// Values that are secrets whatever key they sit under.
const inlineSecretValues: Array<{ pattern: RegExp; what: string }> = [
  { pattern: /AccountKey=/i, what: "a connection string with AccountKey=" },
  { pattern: /SharedAccessKey=/i, what: "a connection string with SharedAccessKey=" },
  { pattern: /SharedAccessSignature|[?&]sig=/i, what: "a shared access signature" },
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: "a private key" },
];

export function isInlineSecretKey(key: string): boolean {
  return key.toLowerCase() in inlineSecretKeys;
}

export interface LocatedProblem {
  path: Array<string | number>;
  message: string;
}

/** Every inline secret in a raw config document: secret-named keys and secret-looking values. */
export function findInlineSecrets(value: unknown, path: Array<string | number> = []): LocatedProblem[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => findInlineSecrets(item, [...path, i]));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, child]) => {
      const hint = inlineSecretKeys[key.toLowerCase()];
      if (hint) return [{ path: [...path, key], message: `inline secrets are not allowed; ${hint}` }];
      return findInlineSecrets(child, [...path, key]);
    });
  }
  if (typeof value === "string") {
    const found = inlineSecretValues.find((s) => s.pattern.test(value));
    if (found) {
      const key = path[path.length - 1];
      const fix =
        typeof key === "string" && key.endsWith("Env")
          ? `${key} takes the NAME of an environment variable; put the secret in that variable`
          : "put it in an environment variable and reference the variable by name";
      return [{ path, message: `looks like an inline secret (${found.what}; not shown); ${fix}` }];
    }
  }
  return [];
}

/** A secret reference that cannot be resolved: the variable is unset or empty, or the name is not a variable name. */
export class SecretReferenceError extends Error {
  override name = "SecretReferenceError";
  constructor(
    message: string,
    readonly envVar: string,
    readonly usedBy: string | undefined,
  ) {
    super(message);
  }
}

/** Reads the secret a config field refers to (`accessKeyEnv: NAME`) from the environment. */
export function resolveSecret(envVar: string, env: NodeJS.ProcessEnv, usedBy?: string): string {
  const where = usedBy ? ` (named by ${usedBy})` : "";
  if (!envVarPattern.test(envVar)) {
    throw new SecretReferenceError(
      `"${envVar.slice(0, 3)}…"${where} is not an environment variable name; set it to the NAME of a variable (letters, digits and _) that holds the secret`,
      envVar,
      usedBy,
    );
  }
  const value = env[envVar];
  if (value === undefined || value === "") {
    throw new SecretReferenceError(
      `environment variable ${envVar} is not set${where}; export ${envVar}=<secret> in the controller's environment, or point the reference at a variable that is set`,
      envVar,
      usedBy,
    );
  }
  return value;
}
