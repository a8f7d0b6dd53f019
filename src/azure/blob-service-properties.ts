import type { BlobServiceClient } from "@azure/storage-blob";
import type { BlobServicePropertiesPort, CorsRuleFacts } from "../ports/readiness.js";
import { azureCall } from "./errors.js";

/** The blob service's own properties (Get Blob Service Properties): CORS must be off for APIM backup and restore. */
export class BlobServiceProperties implements BlobServicePropertiesPort {
  constructor(private readonly service: BlobServiceClient) {}

  async corsRules(signal?: AbortSignal): Promise<CorsRuleFacts[]> {
    const properties = await azureCall("reading the blob service properties", () => this.service.getProperties({ abortSignal: signal }));
    return (properties.cors ?? []).map((r) => ({ allowedOrigins: r.allowedOrigins, allowedMethods: r.allowedMethods }));
  }
}
