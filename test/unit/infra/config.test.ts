import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import type { Json } from "../../support/arm/template.js";
import { expand, ofType, renderedConfigs, sameRegion } from "./deployment.js";

// The controller config infra/main.json renders from the parameters example passes the same
// validation as `apim-dr config validate` (parseConfig), and names what the template deploys.

describe("the controller config the template renders", () => {
  it("passes apim-dr config validate, for one replica and for two", () => {
    for (const controllerLocations of [["northeurope"], ["northeurope", "westeurope"]]) {
      const rendered = renderedConfigs(expand({ controllerLocations }));
      expect(rendered).toHaveLength(controllerLocations.length);
      for (const { app, text } of rendered) expect(() => parseConfig(text, `${app}:/config/config.yaml`)).not.toThrow();
    }
  });

  it("names the pair from the parameters and the resources the template deploys", () => {
    const expansion = expand();
    const p = expansion.parameters;
    const config = parseConfig(renderedConfigs(expansion)[0]!.text, "rendered");
    const pair = config.pairs[0]!;
    expect(pair).toMatchObject({
      name: p.pairName,
      primary: { serviceId: p.primaryApimResourceId, region: p.primaryRegion },
      standby: { serviceId: p.standbyApimResourceId, region: p.standbyRegion },
      customHostname: p.customHostname,
      dns: { zoneId: p.dnsZoneResourceId, recordName: p.dnsRecordName },
      backup: { storageAccount: expansion.outputs.backupStorageAccount, access: { type: "systemAssignedManagedIdentity" } },
    });
    const container = ofType(expansion, "Microsoft.Storage/storageAccounts/blobServices/containers").map((c) => c.name.split("/"));
    expect(container).toContainEqual([pair.backup.storageAccount, "default", pair.backup.container]);

    expect(config.stateStore).toMatchObject({ type: "blob", accountName: expansion.outputs.stateStorageAccount, auth: { type: "credential" } });
    if (config.stateStore.type !== "blob") throw new Error("unreachable");
    for (const name of [config.stateStore.stateContainer, config.stateStore.auditContainer, config.signals.eventHubs!.checkpoint!.container]) {
      expect(container).toContainEqual([config.stateStore.accountName, "default", name]);
    }

    const identity = ofType(expansion, "Microsoft.ManagedIdentity/userAssignedIdentities")[0]!;
    expect(config.azure.credential).toEqual({ type: "managedIdentity", clientId: expansion.outputs.controllerIdentityClientId });
    expect(identity.name).toBe("contoso-controller");

    const hub = ofType(expansion, "Microsoft.EventHub/namespaces/eventhubs")[0]!;
    const [namespace, hubName] = hub.name.split("/");
    expect(config.signals.eventHubs).toMatchObject({ fullyQualifiedNamespace: `${namespace}.servicebus.windows.net`, eventHubName: hubName });
    expect(ofType(expansion, "Microsoft.EventHub/namespaces/eventhubs/consumergroups").map((g) => g.name)).toContain(`${hub.name}/${config.signals.eventHubs!.consumerGroup}`);

    const workspace = ofType(expansion, "Microsoft.OperationalInsights/workspaces")[0]!;
    expect(expansion.recorder.references).toContain(workspace.id);
    expect(config.signals.logs?.query).toMatch(/^ApiManagementGatewayLogs .*Total = count\(\), Failed = .* by Region$/);

    // The admin API listens where the ingress sends traffic.
    const ingress = ((ofType(expansion, "Microsoft.App/containerApps")[0]!.evaluated.properties as Json).configuration as Json).ingress as Json;
    expect(config.server.listen).toBe(`0.0.0.0:${String(ingress.targetPort)}`);
    expect(sameRegion(ofType(expansion, "Microsoft.Storage/storageAccounts")[1]!.evaluated.location, pair.primary.region)).toBe(false);
  });

  it("gives each replica its own consumer group", () => {
    const configs = renderedConfigs(expand({ controllerLocations: ["northeurope", "westeurope"] })).map(({ text }) => parseConfig(text, "rendered"));
    expect(configs.map((c) => c.signals.eventHubs?.consumerGroup)).toEqual(["apim-dr-controller-0", "apim-dr-controller-1"]);
  });

  it("makes the replicas one per region, each with its own id and admin URL, leasing in the state account", () => {
    const expansion = expand({ controllerLocations: ["northeurope", "westeurope"] });
    const configs = renderedConfigs(expansion).map(({ app, text }) => ({ app, config: parseConfig(text, "rendered") }));
    expect(configs.map(({ config }) => [config.coordination?.replicaId, config.coordination?.region])).toEqual([
      ["contoso-ctl-0", "northeurope"],
      ["contoso-ctl-1", "westeurope"],
    ]);
    const containers = ofType(expansion, "Microsoft.Storage/storageAccounts/blobServices/containers").map((c) => c.name);
    for (const { app, config } of configs) {
      const coordination = config.coordination!;
      expect(coordination.replicaId).toBe(app);
      // Internal ingress: the admin URL is the app's environment-internal FQDN.
      expect(coordination.adminUrl).toMatch(new RegExp(`^https://${app}\\.internal\\.[a-z0-9]+\\.northeurope\\.azurecontainerapps\\.io$`));
      expect(coordination.leaseStore).toMatchObject({ accountName: expansion.outputs.stateStorageAccount, auth: { type: "credential" } });
      expect(containers).toContain(`${coordination.leaseStore.accountName}/default/${coordination.leaseStore.container}`);
    }
    const external = renderedConfigs(expand({ adminIngressExternal: true })).map(({ text }) => parseConfig(text, "rendered"));
    expect(external[0]!.coordination!.adminUrl).toMatch(/^https:\/\/contoso-ctl-0\.[a-z0-9]+\.northeurope\.azurecontainerapps\.io$/);
  });

  it("fails validation when the parameters make a bad config (same region twice)", () => {
    const [rendered] = renderedConfigs(expand({ standbyRegion: "westeurope", controllerLocations: ["northeurope"], signalsLocation: "northeurope", storageLocation: "northeurope" }));
    expect(() => parseConfig(rendered!.text, "rendered")).toThrow(/standby\.region: same region as the primary/);
  });
});
