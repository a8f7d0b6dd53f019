import { Agent } from "node:https";
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";
import type { PipelineRetryOptions } from "@azure/core-rest-pipeline";

export const PUBLIC_ARM_ENDPOINT = "https://management.azure.com";
export const USER_AGENT_PREFIX = "apim-dr";

/** What differs between clouds (and between Azure and the simulator): endpoints and trusted CAs. */
export interface ClientSettings {
  /** ARM endpoint, `https://management.azure.com` when omitted. */
  armEndpoint?: string;
  /** Token audience for ARM; defaults to the ARM endpoint (right for public and sovereign clouds). */
  armAudience?: string;
  /** Extra CA certificate(s) to trust, PEM. Trusted in addition to the system CAs, only by these clients. */
  caCertPem?: string;
  retry?: PipelineRetryOptions;
}

/** The pipeline options every SDK client here accepts (core-rest-pipeline `PipelineOptions`). */
export interface CommonPipelineOptions {
  retryOptions: PipelineRetryOptions;
  userAgentOptions: { userAgentPrefix: string };
  /** Set when an extra CA is trusted: a keep-alive agent whose TLS context is built once (see trustingAgent). */
  agent?: Agent;
}

/** ARM management-plane clients (`@azure/arm-*`): endpoint and token scope on top of the pipeline options. */
export interface ArmClientOptions extends CommonPipelineOptions {
  endpoint: string;
  credentialScopes: string[];
}

// Default retries honour Retry-After on 429/503 and back off on 5xx and network errors;
// keep them bounded so a lost region surfaces as an error within seconds, not minutes.
const DEFAULT_RETRY: PipelineRetryOptions = { maxRetries: 3, retryDelayInMs: 800, maxRetryDelayInMs: 30_000 };

export function pipelineOptions(settings: ClientSettings): CommonPipelineOptions {
  return {
    retryOptions: { ...DEFAULT_RETRY, ...settings.retry },
    userAgentOptions: { userAgentPrefix: USER_AGENT_PREFIX },
    ...(settings.caCertPem ? { agent: trustingAgent(settings.caCertPem) } : {}),
  };
}

export function armClientOptions(settings: ClientSettings): ArmClientOptions {
  const endpoint = normalizeEndpoint(settings.armEndpoint ?? PUBLIC_ARM_ENDPOINT, "armEndpoint");
  const audience = normalizeEndpoint(settings.armAudience ?? endpoint, "armAudience");
  return { ...pipelineOptions(settings), endpoint, credentialScopes: [`${audience}/.default`] };
}

/** Validates an https endpoint and drops a trailing slash (the SDKs append paths that start with `/`). */
export function normalizeEndpoint(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${setting} '${value}' is not a URL: give an absolute https URL such as ${PUBLIC_ARM_ENDPOINT}.`);
  }
  // Bearer-token policies refuse to send tokens over plain http.
  if (url.protocol !== "https:") {
    throw new Error(`${setting} '${value}' must use https: Azure SDK clients only send tokens over TLS.`);
  }
  return value.replace(/\/+$/, "");
}

/**
 * An HTTPS agent for one client that trusts the system CAs plus `extraPem`. A `ca` option (the
 * pipeline's tlsOptions) makes Node parse every CA into a new TLS context on each new connection,
 * which at 50 pairs was a third of the controller's CPU; the context here is built once per CA and
 * shared, and the agent keeps connections alive.
 */
export function trustingAgent(extraPem: string): Agent {
  const context = secureContextTrusting(extraPem);
  let agent = agents.get(context);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST, secureContext: context });
    agents.set(context, agent);
  }
  return agent;
}

/**
 * Connections one agent opens to one host at most; more requests wait for a free one. Every client trusting the
 * same CA shares one agent: without the cap and the sharing, 200 idle pairs held about 1 300 TLS connections
 * (each with its own OpenSSL buffers, most of the controller's RSS, and a handshake each).
 */
export const MAX_SOCKETS_PER_HOST = 64;
const agents = new Map<SecureContext, Agent>();

const contexts = new Map<string, SecureContext>();

// A `ca` option replaces Node's bundled CAs, so keep them: the same client may also talk to
// public endpoints (e.g. identity) whose certificates chain to a public root.
export function secureContextTrusting(extraPem: string): SecureContext {
  if (!/-----BEGIN CERTIFICATE-----/.test(extraPem)) {
    throw new Error("caCertPem does not contain a PEM certificate (-----BEGIN CERTIFICATE-----): pass the file's contents, not its path.");
  }
  let context = contexts.get(extraPem);
  if (!context) {
    context = createSecureContext({ ca: [...rootCertificates, extraPem] });
    contexts.set(extraPem, context);
  }
  return context;
}
