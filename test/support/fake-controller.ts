import type { CommandResult, ControllerApi, OperatorAction, OperatorRequest, PairStatus, RefusedRequest } from "../../src/server/controller-api.js";

export const pair: PairStatus = {
  name: "contoso",
  state: "monitoring.healthy",
  activeRegion: "westeurope",
  lastDecision: { verdict: "stay", reason: "primary healthy", at: "2026-12-01T08:00:00.000Z", state: "monitoring.healthy" },
  backup: { latest: "apim-weu-x.apimbackup", ageMs: 60_000, rpoMs: 3_600_000, breached: false, unbackedChanges: 0, reason: "within RPO", protects: "apim-weu", unverified: [], running: null, lastError: null },
  unsavedState: null,
  health: {
    primary: { region: "westeurope", verdict: "healthy", reason: "ok", since: null },
    standby: { region: "northeurope", verdict: "healthy", reason: "ok", since: null },
    observerImpaired: false,
  },
  operation: null,
  accepts: ["failover", "pause"],
};

/** An in-memory controller for admin API and CLI tests. */
export class FakeController implements ControllerApi {
  commands: Array<{ name: string; action: OperatorAction; request: OperatorRequest }> = [];
  listPairs = () => [pair];
  getPair = (name: string) => (name === pair.name ? pair : undefined);
  preview = async (_n: string, action: OperatorAction) => [`would ${action}`];
  async command(name: string, action: OperatorAction, request: OperatorRequest): Promise<CommandResult> {
    this.commands.push({ name, action, request });
    if (!pair.accepts.includes(action)) {
      return { accepted: false, state: pair.state, accepts: pair.accepts, message: `'${action}' is not accepted in state ${pair.state}` };
    }
    return { accepted: true, state: "failingOver.checkingBackup" };
  }
  refusals: RefusedRequest[] = [];
  async recordRefusal(refusal: RefusedRequest): Promise<void> {
    this.refusals.push(refusal);
  }
  audit = async () => [];
  metrics = () => "apim_dr_up 1\n";
  ready = () => true;
  health = () => ({ status: "ok" as const, problems: [] });
}

