/** The parts of an ARM resource id such as `/subscriptions/<uuid>/resourceGroups/<rg>/providers/Microsoft.ApiManagement/service/<name>`. */
export interface ArmResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** The resource's own name: the APIM service name, or the DNS zone name. */
  name: string;
}

export interface ArmResourceKind {
  /** e.g. `Microsoft.ApiManagement/service`; compared case-insensitively, as ARM does. */
  type: string;
  /** Pattern the resource's name must match. */
  namePattern: RegExp;
  /** How the expected id is described in error messages. */
  example: string;
}

// Resource group names: 1-90 letters, digits, _ - . ( ), not ending in a period.
const resourceGroupPattern = /^[-\w.()]{0,89}[-\w()]$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const APIM_SERVICE: ArmResourceKind = {
  type: "Microsoft.ApiManagement/service",
  // APIM service names: 1-50 letters, digits and hyphens, starting with a letter, not ending in a hyphen.
  namePattern: /^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/,
  example: "/subscriptions/<uuid>/resourceGroups/<rg>/providers/Microsoft.ApiManagement/service/<name>",
};

export const DNS_ZONE: ArmResourceKind = {
  type: "Microsoft.Network/dnsZones",
  namePattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i,
  example: "/subscriptions/<uuid>/resourceGroups/<rg>/providers/Microsoft.Network/dnsZones/<zone name>",
};

export const STORAGE_ACCOUNT: ArmResourceKind = {
  type: "Microsoft.Storage/storageAccounts",
  namePattern: /^[a-z0-9]{3,24}$/,
  example: "/subscriptions/<uuid>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>",
};

/** Parses an ARM id of the given kind; null when it is not one. */
export function parseArmId(id: string, kind: ArmResourceKind): ArmResourceId | null {
  return armIdProblem(id, kind) === null ? split(id) : null;
}

/** What is wrong with `id` as an id of `kind`, in a few words; null when nothing is. */
export function armIdProblem(id: string, kind: ArmResourceKind): string | null {
  const parts = id.split("/");
  if (parts[0] !== "" || parts.length !== 9) return `has ${Math.max(parts.length - 1, 0)} segments, needs 8`;
  const [, subs, subscriptionId, rgs, resourceGroup, providers, ns, typeName, name] = parts as [
    string, string, string, string, string, string, string, string, string,
  ];
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (!same(subs, "subscriptions") || !same(rgs, "resourceGroups") || !same(providers, "providers")) {
    return "segments must be /subscriptions/…/resourceGroups/…/providers/…";
  }
  if (!uuidPattern.test(subscriptionId)) return `subscription "${subscriptionId}" is not a UUID`;
  if (!resourceGroupPattern.test(resourceGroup)) return `"${resourceGroup}" is not a valid resource group name`;
  if (!same(`${ns}/${typeName}`, kind.type)) return `resource type is ${ns}/${typeName}, not ${kind.type}`;
  if (!kind.namePattern.test(name)) return `"${name}" is not a valid ${kind.type} name`;
  return null;
}

function split(id: string): ArmResourceId {
  const parts = id.split("/");
  return { subscriptionId: parts[2]!, resourceGroup: parts[4]!, name: parts[8]! };
}
