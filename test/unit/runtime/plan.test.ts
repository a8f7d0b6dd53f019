import { describe, expect, it } from "vitest";
import { effectiveConfig, validateConfig } from "../../../src/config/index.js";
import { initialContext } from "../../../src/machine/context.js";
import { decideBackup } from "../../../src/machine/decide.js";
import { switchDnsInput } from "../../../src/machine/step-inputs.js";
import type { BackupRecord } from "../../../src/ports/backups.js";
import type { BackupView } from "../../../src/runtime/backup-coordinator.js";
import { pairSettings } from "../../../src/runtime/pair-settings.js";
import { failoverPlan, renderPlan } from "../../../src/runtime/plan.js";
import { validDocument } from "../config/valid-config.js";

const NOW = Date.parse("2026-12-03T12:00:00Z");
const pair = effectiveConfig(validateConfig(validDocument()), "/etc/apim-dr").pairs[0]!;
const ctx = initialContext(pairSettings(pair));
const backup = (ageMin: number): BackupRecord => ({ name: `apim-contoso-weu-${ageMin}.apimbackup`, takenAt: NOW - ageMin * 60_000, sourceServiceId: pair.primary.serviceId.toLowerCase(), sku: "Premium", sizeBytes: 1 });
const view = (b: BackupRecord | null): BackupView => ({ backupName: b?.name ?? null, backupAgeMs: b ? NOW - b.takenAt : null, rpoMs: 3_600_000, breached: !b || NOW - b.takenAt > 3_600_000, unbackedChanges: 0, reason: "", protects: "apim-contoso-weu", unverified: [], running: null, lastError: null });

describe("the failover plan is the machine's own decision and the steps' own inputs", () => {
  it("a planned failover takes a fresh backup for the reason the backup check gives, and says what happens if the primary is silent", () => {
    const b = backup(10);
    const plan = failoverPlan(pair, ctx, { view: view(b), newest: b }, true, NOW);
    const decided = decideBackup({ ...ctx, failoverTrigger: "planned" }, { latest: b, unverified: [], standbySku: "Premium", primaryAnswers: true, primaryDetail: "" }, NOW);
    expect(plan.backup).toEqual({ kind: "fresh", of: "apim-contoso-weu", why: `${decided.reason}; if the primary's management plane does not answer: backup ${b.name} is 10m old, within the RPO of 1h` });
  });

  it("an unplanned failover with a backup within the RPO restores it, and skips the restore when the standby already holds it", () => {
    const b = backup(10);
    expect(failoverPlan(pair, ctx, { view: view(b), newest: b }, false, NOW).restore).toEqual({ into: "apim-contoso-neu", skipWhen: null, note: "" });
    const warm = failoverPlan(pair, { ...ctx, standbyHolds: b.name }, { view: view(b), newest: b }, false, NOW);
    expect(warm.backup).toMatchObject({ kind: "existing", name: b.name, detail: `backup ${b.name} is 10m old, within the RPO of 1h` });
    expect(renderPlan(warm)[2]).toBe(`  restore: skipped: apim-contoso-neu already holds ${b.name}, the newest backup`);
  });

  it("without any backup and a silent primary it says the failover would wait for approval (DNS-only)", () => {
    const plan = failoverPlan(pair, ctx, { view: view(null), newest: null }, false, NOW);
    expect(plan.backup).toMatchObject({ kind: "fresh" });
    expect((plan.backup as { why: string }).why).toMatch(/if the primary's management plane does not answer: no backup of the primary found in container apim-backups .*Approve for a DNS-only cutover/);
  });

  it("shows the DNS change the switchDns step is given", () => {
    const step = switchDnsInput(ctx, "failingOver.switchingDns", "standby");
    const plan = failoverPlan(pair, ctx, { view: view(null), newest: null }, false, NOW);
    expect(plan.dns).toEqual({ record: `${step.recordName}.contoso.com`, from: step.expected, to: step.target, ttlSeconds: step.ttl });
  });
});
