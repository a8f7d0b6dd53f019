// A minimal valid config document, for tests that break one field at a time.
const SUB = "11111111-2222-3333-4444-555555555555";

export const serviceId = (name: string, rg = "rg-apim") =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ApiManagement/service/${name}`;

export const zoneId = (zone: string) => `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/dnsZones/${zone}`;

export function pair(name = "contoso") {
  return {
    name,
    primary: { serviceId: serviceId(`apim-${name}-weu`), region: "westeurope" },
    standby: { serviceId: serviceId(`apim-${name}-neu`), region: "northeurope" },
    customHostname: `${name}.contoso.com`,
    dns: { zoneId: zoneId("contoso.com"), recordName: name } as Record<string, unknown>,
    backup: {
      storageAccount: "stbackups",
      container: "apim-backups",
      access: { type: "systemAssignedManagedIdentity" } as Record<string, unknown>,
      schedule: "0 * * * *",
    },
    objectives: { rpoMinutes: 60, rtoMinutes: 45 } as Record<string, unknown>,
    policy: { mode: "automatic" } as Record<string, unknown>,
  };
}

export function validDocument() {
  return {
    pairs: [pair()],
    stateStore: { type: "file", dir: "state" } as Record<string, unknown>,
  } as Record<string, unknown> & { pairs: ReturnType<typeof pair>[] };
}
