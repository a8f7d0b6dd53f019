import { OperationError, UsageError } from "../ports/user-errors.js";
import { ADMIN_TOKEN_ENV } from "./admin-server.js";
import type { AuditEntry } from "../ports/state.js";
import type { OperatorAction, OperatorRequest, PairStatus } from "./controller-api.js";
import type { PairReadiness } from "../readiness/render.js";
import type { CutoverPlan } from "../runtime/plan.js";

export const DEFAULT_CONTROLLER_URL = "http://127.0.0.1:7070";

/** HTTP client of the admin API, turning its answers into messages an operator can act on. */
export class ControllerClient {
  constructor(
    private url: string,
    private readonly token: string | undefined,
  ) {
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--controller: '${url}' is not a URL; pass e.g. --controller ${DEFAULT_CONTROLLER_URL}`);
    }
  }

  /** The controller this client talks to: the one it was given, or the pair's leader once a follower named it. */
  get baseUrl(): string {
    return this.url;
  }

  /**
   * Sends this client to the pair's leader when `status` came from a follower, whose view is the leader's last stored
   * state: plans, commands and their progress are the leader's. True when it moved.
   */
  followLeaderOf(status: PairStatus): boolean {
    const leaderUrl = status.leadership?.role === "follower" ? status.leadership.leader?.adminUrl : undefined;
    if (!leaderUrl) return false;
    this.url = leaderUrl.replace(/\/+$/, "");
    return true;
  }

  static from(controller: string | undefined, env: NodeJS.ProcessEnv): ControllerClient {
    return new ControllerClient((controller ?? env.APIM_DR_CONTROLLER ?? DEFAULT_CONTROLLER_URL).replace(/\/+$/, ""), env[ADMIN_TOKEN_ENV]);
  }

  listPairs = async () => ((await this.request("GET", "/pairs")) as { pairs: PairStatus[] }).pairs;
  getPair = async (name: string) => (await this.request("GET", `/pairs/${encodeURIComponent(name)}`)) as PairStatus;
  preview = async (name: string, action: OperatorAction, planned = false) =>
    ((await this.request("GET", `/pairs/${encodeURIComponent(name)}/${action}/preview${planned ? "?planned=true" : ""}`)) as { lines: string[] }).lines;
  readiness = async (name: string) => (await this.request("GET", `/pairs/${encodeURIComponent(name)}/readiness`)) as PairReadiness;
  plan = async (name: string) => (await this.request("GET", `/pairs/${encodeURIComponent(name)}/plan`)) as { plan: CutoverPlan; lines: string[] };
  audit = async (pair?: string) =>
    ((await this.request("GET", `/audit${pair ? `?pair=${encodeURIComponent(pair)}` : ""}`)) as { entries: AuditEntry[] }).entries;

  async command(name: string, action: OperatorAction, body: OperatorRequest): Promise<{ state: string; busy: boolean }> {
    if (!this.token) throw new UsageError(`${ADMIN_TOKEN_ENV} is not set: export the controller's admin token before running '${action}'`);
    const path = `/pairs/${encodeURIComponent(name)}/${action}`;
    try {
      return (await this.request("POST", path, body)) as { state: string; busy: boolean };
    } catch (error) {
      // A follower answers 409 naming the leader of the pair (leadership moved since we asked): send the command there,
      // once, and keep asking the leader from then on.
      if (!(error instanceof LeaderElsewhere)) throw error;
      this.url = error.leaderUrl.replace(/\/+$/, "");
      return (await this.request("POST", path, body)) as { state: string; busy: boolean };
    }
  }

  private notAController(path: string): OperationError {
    return new OperationError(
      `${this.baseUrl} is not an apim-dr controller (it answered 404 for ${path}): pass the admin API's address as --controller or APIM_DR_CONTROLLER, as printed by 'apim-dr run' ("admin api listening on ..."; default ${DEFAULT_CONTROLLER_URL})`,
    );
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...(method !== "GET" && this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const { cause } = error as { cause?: { code?: string; message?: string } };
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new OperationError(`cannot reach the controller at ${this.baseUrl} (${why}); is 'apim-dr run' running? Pass --controller URL if it listens elsewhere`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      if (res.status === 404) throw this.notAController(path);
      throw new OperationError(`the controller at ${this.baseUrl} answered ${res.status} with something that is not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const { error, state, accepts, leaderUrl } = json as { error?: string; state?: string; accepts?: string[]; leaderUrl?: string };
      // The admin API explains every 404 in an `error`; an answer without one comes from some other server.
      if (res.status === 404 && typeof error !== "string") throw this.notAController(path);
      if (res.status === 409 && leaderUrl && method === "POST") throw new LeaderElsewhere(leaderUrl, error ?? "not the leader");
      const detail = res.status === 409 && state ? ` (state ${state}; accepts: ${accepts?.join(", ") || "no operator action"})` : "";
      throw new OperationError(`${error ?? `HTTP ${res.status}`}${detail}`);
    }
    return json;
  }
}

/** A follower replica refused a command and named the leader's admin URL. */
class LeaderElsewhere extends OperationError {
  constructor(
    readonly leaderUrl: string,
    message: string,
  ) {
    super(message);
  }
}
