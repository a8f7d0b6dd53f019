/** A service's configuration as a backup carries it: what APIM restores into the target. */
export interface ServiceContent {
  apis: SimApi[];
  products: { id: string; displayName: string; apis: string[] }[];
  policies: { scope: string; xml: string }[];
  namedValues: { id: string; value: string }[];
  users: { id: string; email: string }[];
  subscriptions: { id: string; scope: string; owner: string }[];
}

export interface SimApi {
  id: string;
  path: string;
  displayName: string;
  operations: { id: string; method: string; urlTemplate: string }[];
}

export function initialContent(): ServiceContent {
  return {
    apis: [
      {
        id: "orders",
        path: "orders",
        displayName: "Orders",
        operations: [
          { id: "list-orders", method: "GET", urlTemplate: "/list-orders" },
          { id: "get-order", method: "GET", urlTemplate: "/get-order" },
        ],
      },
      {
        id: "echo",
        path: "echo",
        displayName: "Echo API",
        operations: [{ id: "ping", method: "GET", urlTemplate: "/ping" }],
      },
    ],
    products: [{ id: "starter", displayName: "Starter", apis: ["orders", "echo"] }],
    policies: [{ scope: "global", xml: "<policies><inbound><base /></inbound></policies>" }],
    namedValues: [{ id: "backend-url", value: "https://backend.contoso.example" }],
    users: [{ id: "1", email: "admin@contoso.example" }],
    subscriptions: [{ id: "master", scope: "/apis", owner: "1" }],
  };
}

/**
 * One configuration change, as an operator would make it, producing revision `revision`.
 * Every change adds an operation to the Orders API, so a gateway serving an older backup visibly lacks it;
 * the rotating second change touches the other kinds of content.
 */
export function applyChange(content: ServiceContent, revision: number): { content: ServiceContent; operation: string } {
  const next = structuredClone(content);
  const orders = next.apis.find((a) => a.id === "orders");
  const opId = `op-r${revision}`;
  if (orders) orders.operations.push({ id: opId, method: "GET", urlTemplate: `/${opId}` });
  else next.apis.push({ id: "orders", path: "orders", displayName: "Orders", operations: [{ id: opId, method: "GET", urlTemplate: `/${opId}` }] });
  switch (revision % 4) {
    case 0:
      next.namedValues.push({ id: `nv-r${revision}`, value: `value ${revision}` });
      break;
    case 1:
      next.policies = next.policies.map((p) =>
        p.scope === "global" ? { ...p, xml: `<policies><inbound><base /><set-header name="x-revision" exists-action="override"><value>${revision}</value></set-header></inbound></policies>` } : p,
      );
      break;
    case 2:
      next.products.push({ id: `product-r${revision}`, displayName: `Product ${revision}`, apis: ["orders"] });
      break;
    default:
      next.users.push({ id: `user-r${revision}`, email: `user${revision}@contoso.example` });
      next.subscriptions.push({ id: `sub-r${revision}`, scope: "/apis/orders", owner: `user-r${revision}` });
  }
  return { content: next, operation: `orders/${opId}` };
}

/** What a backup blob holds: the content plus where and when it came from. */
export interface BackupPayload {
  format: "apim-dr-sim-backup/1";
  sourceServiceId: string;
  sku: string;
  revision: number;
  /** ISO-8601 UTC. */
  takenAt: string;
  content: ServiceContent;
}

export const BACKUP_FORMAT = "apim-dr-sim-backup/1";

export function parseBackupPayload(text: string): BackupPayload | null {
  try {
    const value = JSON.parse(text) as Partial<BackupPayload>;
    if (value.format !== BACKUP_FORMAT || typeof value.takenAt !== "string" || !value.content) return null;
    return value as BackupPayload;
  } catch {
    return null;
  }
}
