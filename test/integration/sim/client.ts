import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A raw HTTPS call to the simulator, trusting only its CA. */
export function arm(
  ca: string,
  endpoint: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; auth?: boolean } = {},
): Promise<RawResponse> {
  const url = new URL(path, endpoint);
  const data = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        method,
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        ca,
        headers: {
          ...(options.auth === false ? {} : { authorization: "Bearer simulated-token" }),
          ...(data ? { "content-type": "application/json" } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

/** A gateway call with an explicit Host header (fetch cannot set Host). */
export function gateway(base: string, path: string, host: string, timeoutMs = 2000): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: { host }, timeout: timeoutMs }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** Follows an LRO's Location until it stops answering 202; returns the final response and the number of 202 polls. */
export async function pollToEnd(ca: string, endpoint: string, location: string): Promise<{ final: RawResponse; polls202: number }> {
  let polls202 = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 40));
    const res = await arm(ca, endpoint, "GET", location);
    if (res.status !== 202) return { final: res, polls202 };
    polls202++;
    if (res.headers.location !== location) throw new Error(`poll changed Location to ${String(res.headers.location)}`);
  }
}
