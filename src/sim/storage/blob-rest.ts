import { createHmac } from "node:crypto";

/**
 * The few Blob service REST calls the simulated APIM makes against Azurite, signed with SharedKey.
 * Only src/azure may import @azure/*, so the simulator speaks the REST API directly.
 */
export class BlobRestClient {
  private readonly key: Buffer;
  private corsRead: Promise<string[]> | undefined;

  constructor(
    /** http://127.0.0.1:PORT/ACCOUNT (path-style, as Azurite serves it). */
    private readonly endpoint: string,
    private readonly account: string,
    accountKey: string,
  ) {
    this.key = Buffer.from(accountKey, "base64");
  }

  async createContainerIfMissing(container: string): Promise<void> {
    const res = await this.request("PUT", `/${container}`, { restype: "container" });
    if (res.status !== 201 && res.status !== 409) throw await storageError(res, `create container '${container}'`);
  }

  async putBlob(container: string, name: string, body: string, metadata: Record<string, string> = {}): Promise<void> {
    const headers: Record<string, string> = { "x-ms-blob-type": "BlockBlob", "content-type": "application/json" };
    for (const [k, v] of Object.entries(metadata)) headers[`x-ms-meta-${k}`] = v;
    const res = await this.request("PUT", `/${container}/${encodeURIComponent(name)}`, {}, headers, body);
    if (res.status !== 201) throw await storageError(res, `write blob '${container}/${name}'`);
  }

  /** null when the container or the blob does not exist. */
  async getBlob(container: string, name: string): Promise<{ body: string; metadata: Record<string, string> } | null> {
    const res = await this.request("GET", `/${container}/${encodeURIComponent(name)}`);
    if (res.status === 404) return null;
    if (res.status !== 200) throw await storageError(res, `read blob '${container}/${name}'`);
    return { body: await res.text(), metadata: metadataOf(res.headers) };
  }

  async listContainers(): Promise<string[]> {
    const res = await this.request("GET", "/", { comp: "list" });
    if (res.status !== 200) throw await storageError(res, "list containers");
    return xmlValues(await res.text(), "Name");
  }

  async listBlobs(container: string): Promise<string[]> {
    const res = await this.request("GET", `/${container}`, { restype: "container", comp: "list" });
    if (res.status === 404) return [];
    if (res.status !== 200) throw await storageError(res, `list blobs in '${container}'`);
    return xmlValues(await res.text(), "Name");
  }

  /**
   * The AllowedMethods of each Blob service CORS rule (empty when CORS is off). Callers that ask while a read is
   * under way share it: 50 restores accepted at once would otherwise queue 50 reads in Azurite, a delay real APIM
   * does not have.
   */
  corsAllowedMethods(): Promise<string[]> {
    if (this.corsRead) return this.corsRead;
    const read = this.readCors().finally(() => {
      if (this.corsRead === read) this.corsRead = undefined;
    });
    return (this.corsRead = read);
  }

  private async readCors(): Promise<string[]> {
    const res = await this.request("GET", "/", { restype: "service", comp: "properties" });
    if (res.status !== 200) throw await storageError(res, "read blob service properties");
    return xmlValues(await res.text(), "AllowedMethods");
  }

  /** Sets (or, with no rules, clears) the blob service's CORS rules through Set Blob Service Properties. */
  async setCors(rules: { allowedOrigins: string; allowedMethods: string }[]): Promise<void> {
    const cors = rules
      .map((r) => `<CorsRule><AllowedOrigins>${r.allowedOrigins}</AllowedOrigins><AllowedMethods>${r.allowedMethods}</AllowedMethods><MaxAgeInSeconds>3600</MaxAgeInSeconds><ExposedHeaders>*</ExposedHeaders><AllowedHeaders>*</AllowedHeaders></CorsRule>`)
      .join("");
    const body = `<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Cors>${cors}</Cors></StorageServiceProperties>`;
    const res = await this.request("PUT", "/", { restype: "service", comp: "properties" }, { "content-type": "application/xml" }, body);
    this.corsRead = undefined; // a read under way may answer the old rules
    if (res.status !== 202) throw await storageError(res, "set blob service properties");
  }

  private async request(
    method: string,
    path: string,
    query: Record<string, string> = {},
    extraHeaders: Record<string, string> = {},
    body?: string,
  ): Promise<Response> {
    const url = new URL(this.endpoint + (path === "/" ? "" : path));
    if (path === "/") url.pathname = url.pathname.replace(/\/?$/, "/");
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const bytes = body === undefined ? undefined : Buffer.from(body, "utf8");
    const headers: Record<string, string> = {
      "x-ms-date": new Date().toUTCString(),
      "x-ms-version": "2021-12-02",
      ...extraHeaders,
    };
    if (bytes) headers["content-length"] = String(bytes.length);
    headers.authorization = `SharedKey ${this.account}:${this.sign(method, url, headers)}`;
    return fetch(url, { method, headers, body: bytes });
  }

  private sign(method: string, url: URL, headers: Record<string, string>): string {
    const h = (name: string) => headers[name] ?? "";
    const length = h("content-length");
    const canonicalHeaders = Object.keys(headers)
      .filter((k) => k.startsWith("x-ms-"))
      .sort()
      .map((k) => `${k}:${headers[k]!.trim()}\n`)
      .join("");
    const params = [...url.searchParams.keys()].sort();
    const canonicalResource =
      `/${this.account}${url.pathname}` +
      params.map((k) => `\n${k.toLowerCase()}:${url.searchParams.getAll(k).join(",")}`).join("");
    const stringToSign = [
      method,
      h("content-encoding"),
      h("content-language"),
      length === "0" ? "" : length,
      h("content-md5"),
      h("content-type"),
      "",
      h("if-modified-since"),
      h("if-match"),
      h("if-none-match"),
      h("if-unmodified-since"),
      h("range"),
    ].join("\n") + "\n" + canonicalHeaders + canonicalResource;
    return createHmac("sha256", this.key).update(stringToSign, "utf8").digest("base64");
  }
}

/** Storage answered something other than the expected status. */
export class StorageRestError extends Error {
  override name = "StorageRestError";
  constructor(message: string, readonly status: number, readonly code: string | null) {
    super(message);
  }
}

async function storageError(res: Response, what: string): Promise<StorageRestError> {
  const text = await res.text();
  const code = res.headers.get("x-ms-error-code") ?? xmlValues(text, "Code")[0] ?? null;
  return new StorageRestError(`storage refused to ${what}: HTTP ${res.status}${code ? ` ${code}` : ""}`, res.status, code);
}

function metadataOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith("x-ms-meta-")) out[name.slice("x-ms-meta-".length)] = value;
  });
  return out;
}

function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => decodeXml(m[1]!));
}

function decodeXml(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}
