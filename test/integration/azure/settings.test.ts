import { describe, expect, it } from "vitest";
import { RestError, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { armClientOptions, MAX_SOCKETS_PER_HOST } from "../../../src/azure/client-options.js";
import { createSimTls } from "../../../src/sim/tls.js";
import { createCredential, SIMULATOR_TOKEN, type CredentialSpec } from "../../../src/azure/credentials.js";
import { toAzureOperationError } from "../../../src/azure/errors.js";
import { parseApimServiceId, parseDnsZoneId } from "../../../src/azure/resource-id.js";
import { AzureOperationError } from "../../../src/ports/errors.js";

const SUB = "0b3d7c52-8f0e-4a8c-9a37-3e2f5c1d9e11";

describe("resource ids", () => {
  it("parses an APIM service id, whatever the casing of its segments", () => {
    expect(parseApimServiceId(`/subscriptions/${SUB}/resourcegroups/rg-dr/providers/microsoft.apimanagement/service/apim-weu`)).toEqual({
      subscriptionId: SUB,
      resourceGroup: "rg-dr",
      provider: "microsoft.apimanagement",
      type: "service",
      name: "apim-weu",
    });
    expect(parseDnsZoneId(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/dnszones/contoso.example`).name).toBe("contoso.example");
  });

  it("names the problem and the fix for a malformed, mistyped or non-UUID id", () => {
    const attempt = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(AzureOperationError);
        expect((error as AzureOperationError).code).toBe("InvalidResourceId");
        return (error as Error).message;
      }
      throw new Error("expected a failure");
    };
    expect(attempt(() => parseApimServiceId("apim-weu"))).toBe(
      "'apim-weu' is not an API Management service resource id: expected the form /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg/providers/Microsoft.ApiManagement/service/my-name.",
    );
    expect(attempt(() => parseApimServiceId(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/dnszones/z`))).toBe(
      `'/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/dnszones/z' is a Microsoft.Network/dnszones resource, not an API Management service (Microsoft.ApiManagement/service): check which id is configured here.`,
    );
    expect(attempt(() => parseApimServiceId("/subscriptions/prod/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a"))).toMatch(
      /has subscription 'prod', which is not a UUID: copy the id from the resource's JSON view/,
    );
  });
});

describe("client options", () => {
  it("trusts the extra CA through one TLS context built once, and scopes tokens to the ARM endpoint", async () => {
    const { caCertPem: pem } = await createSimTls();
    const options = armClientOptions({ armEndpoint: "https://127.0.0.1:8443/", caCertPem: pem });
    expect(options.endpoint).toBe("https://127.0.0.1:8443");
    expect(options.credentialScopes).toEqual(["https://127.0.0.1:8443/.default"]);
    const context = (options.agent?.options as { secureContext?: unknown } | undefined)?.secureContext;
    expect(context).toBeDefined();
    // Another client trusting the same CA shares the context: no CA list is parsed per client or per connection.
    expect((armClientOptions({ caCertPem: pem }).agent?.options as { secureContext?: unknown }).secureContext).toBe(context);
    // …and the connection pool, bounded per host: N pairs do not open N times the connections.
    expect(armClientOptions({ caCertPem: pem }).agent).toBe(options.agent);
    expect(options.agent?.maxSockets).toBe(MAX_SOCKETS_PER_HOST);
    expect(options.userAgentOptions.userAgentPrefix).toBe("apim-dr");
    expect(armClientOptions({}).endpoint).toBe("https://management.azure.com");
    expect(armClientOptions({}).agent).toBeUndefined();
  });

  it("refuses plain http and a CA path given instead of its contents", () => {
    expect(() => armClientOptions({ armEndpoint: "http://127.0.0.1:8080" })).toThrow(
      "armEndpoint 'http://127.0.0.1:8080' must use https: Azure SDK clients only send tokens over TLS.",
    );
    expect(() => armClientOptions({ caCertPem: ".sim/ca.pem" })).toThrow(
      "caCertPem does not contain a PEM certificate (-----BEGIN CERTIFICATE-----): pass the file's contents, not its path.",
    );
  });
});

describe("credentials", () => {
  it("gives the simulator a fixed bearer token far in the future", async () => {
    const token = await createCredential({ type: "simulator" }).getToken("https://127.0.0.1/.default");
    expect(token?.token).toBe(SIMULATOR_TOKEN);
    expect(token!.expiresOnTimestamp).toBeGreaterThan(Date.UTC(2099, 0, 1));
  });

  it("rejects an unknown credential type with the allowed ones", () => {
    expect(() => createCredential({ type: "clientSecret" } as unknown as CredentialSpec)).toThrow(
      "Unknown credential type 'clientSecret': use one of default, managedIdentity, workloadIdentity, simulator.",
    );
  });
});

describe("error mapping", () => {
  const restError = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const request = createPipelineRequest({ url: "https://127.0.0.1/x" });
    return new RestError("raw", {
      statusCode: status,
      request,
      response: { status, request, headers: createHttpHeaders(headers), bodyAsText: JSON.stringify(body) },
    });
  };

  it("keeps the ARM code and message, marks throttling retryable and reads Retry-After", () => {
    const error = toAzureOperationError(restError(429, { error: { code: "TooManyRequests", message: "Slow down." } }, { "retry-after": "7" }), "reading service a");
    expect(error).toMatchObject({ code: "TooManyRequests", statusCode: 429, retryable: true, retryAfterMs: 7000, message: "reading service a failed: Slow down." });
  });

  it("calls every 412 PreconditionFailed and does not retry 4xx", () => {
    const error = toAzureOperationError(restError(412, { error: { code: "Conflict", message: "etag mismatch" } }), "writing CNAME api");
    expect(error).toMatchObject({ code: "PreconditionFailed", statusCode: 412, retryable: false });
  });

  it("unwraps core-lro's failed-operation message into code and message", () => {
    const error = toAzureOperationError(
      new Error("The long-running operation has failed. RestoreFailed. Cannot restore: current SKU is 'Developer', backup SKU is 'Premium'"),
      "restore of b1 into service apim-neu",
    );
    expect(error).toMatchObject({ code: "RestoreFailed", retryable: false });
    expect(error.message).toBe("restore of b1 into service apim-neu failed: Cannot restore: current SKU is 'Developer', backup SKU is 'Premium'");
  });
});
