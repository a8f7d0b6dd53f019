import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAIR, startDaemonWorld, type DaemonWorld } from "../daemon/world.js";

// Debian's Chromium (`apt-get install chromium`; .ci/run installs it), driven by playwright-core: no browser download.
const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
/** The test's output folder: screenshots of each step (reports/ is not committed). */
const OUT = join(process.cwd(), "reports", "test-output", "dashboard-browser");

describe.skipIf(!existsSync(CHROMIUM))("the dashboard in a real browser, against the daemon and the simulator", () => {
  let world: DaemonWorld;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
    const shot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  const waitForStateOnPage = async (prefix: string, timeoutMs: number) => {
    try {
      // Read through a locator: the page's CSP forbids the eval a waitForFunction would need.
      await expect.poll(() => page.locator(`[data-pair="${PAIR}"] [data-testid="state"]`).textContent(), { timeout: timeoutMs, interval: 250 }).toMatch(new RegExp(`^${prefix}`));
    } catch (error) {
      const onPage = await page.locator(`[data-pair="${PAIR}"] [data-testid="state"]`).textContent().catch(() => "nothing");
      const api = await world.pair();
      throw new Error(`the page never showed ${prefix}: it shows ${onPage}; the API says ${api.state} (${api.lastDecision?.reason ?? "no decision"}): ${(error as Error).message}`);
    }
  };

  beforeAll(async () => {
    await mkdir(OUT, { recursive: true });
    world = await startDaemonWorld();
    await world.daemon.start();
    world.sim.change(world.primaryName, 2);
    await world.waitForPair("the change-triggered backup", (p) => p.backup.latest !== null, 60_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("request", (r) => requested.push(r.url()));
    await page.goto(`${world.daemon.url}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await world?.stop();
  });

  it("shows the pair live, then a region outage progressing to failedOver without a reload", async () => {
    await waitForStateOnPage("monitoring", 30_000);
    const navigations = requested.filter((u) => u === `${world.daemon.url}/`).length;
    await world.sim.fault("region-outage", { region: world.sim.services.primary.region }, { managementPlane: "down" });
    await waitForStateOnPage("failingOver", 60_000);
    await shot("1-failing-over");
    await waitForStateOnPage("failedOver", 90_000);
    expect(await page.locator(`[data-pair="${PAIR}"] [data-testid="active-region"]`).textContent()).toBe(world.sim.services.standby.region);
    // The page was loaded once: everything after came over the event stream.
    expect(requested.filter((u) => u === `${world.daemon.url}/`).length).toBe(navigations);
    await expect.poll(() => page.locator(`[data-pair="${PAIR}"] ol.timeline`).textContent(), { timeout: 10_000 }).toContain("→ failedOver");
    await shot("2-failed-over");
    // The person on call was paged, signed, through the simulator's webhook receiver.
    await expect.poll(() => world.sim.stats().webhooks.deliveries.find((d) => d.target === "oncall" && d.event === "failoverCompleted")?.signature, { timeout: 10_000 }).toBe("valid");
    // /metrics counts per target what the receiver answered 200 to.
    const received = () => String(world.sim.stats().webhooks.deliveries.filter((d) => d.target === "oncall" && d.answer === "ok").length);
    await expect.poll(async () => /^apim_dr_notifications_sent_total\{target="oncall"\} (\d+)$/m.exec((await world.api("/metrics")).text)?.[1] === received(), { timeout: 10_000 }).toBe(true);
    expect(Number(received())).toBeGreaterThanOrEqual(2);
  }, 240_000);

  it("refuses a failback without the token, on the page, with a clear message", async () => {
    await world.sim.clearFault("region-outage", { region: world.sim.services.primary.region });
    await world.waitForPair("failback to be accepted (primary healthy long enough)", (p) => p.health.primary.verdict === "healthy" && p.accepts.includes("failback"), 90_000);
    const failback = page.locator(`[data-pair="${PAIR}"] button[data-action="failback"]`);
    await expect.poll(() => failback.isEnabled(), { timeout: 10_000 }).toBe(true);
    await failback.click();
    // The same plan the CLI shows before it asks.
    await expect.poll(() => page.locator("#action-preview").textContent(), { timeout: 10_000 }).toContain(`failback ${PAIR}`);
    await page.locator("#action-confirm").click();
    const result = page.locator("#action-result");
    await expect.poll(() => result.textContent()).toBe('Refused: failback needs the admin token. Enter it under "Admin token" above (kept for this browser session only), then confirm again.');
    await shot("3-refused-without-token");
    expect((await world.pair()).state).toBe("failedOver");
  }, 180_000);

  it("starts a failback from the page with the token, and it completes", async () => {
    await page.locator("#token").fill(world.token);
    await page.locator("#token-save").click();
    await page.locator("#action-reason").fill("primary region recovered (browser test)");
    await page.locator("#action-confirm").click();
    await expect.poll(() => page.locator("#action-result").textContent(), { timeout: 10_000 }).toMatch(/^failback accepted: contoso is now failingBack/);
    await waitForStateOnPage("monitoring", 120_000);
    expect(await page.locator(`[data-pair="${PAIR}"] [data-testid="active-region"]`).textContent()).toBe(world.sim.services.primary.region);
    await page.locator("#action-cancel").click();
    await expect.poll(() => page.locator(`[data-pair="${PAIR}"] ol.timeline`).textContent(), { timeout: 10_000 }).toContain("operator dashboard requested a failback");
    await shot("4-failed-back");
    const audit = (await world.api(`/audit?pair=${PAIR}`)).json() as { entries: Array<{ type: string; actor?: string; reason?: string }> };
    expect(audit.entries.find((e) => e.type === "operator" && e.actor === "dashboard")?.reason).toContain("primary region recovered (browser test)");
    // The token lives in this tab's session only and never travelled in a URL.
    expect(await page.evaluate("[sessionStorage.length, localStorage.length]")).toEqual([1, 0]);
    expect(requested.filter((u) => u.includes(world.token))).toEqual([]);
  }, 240_000);
});
