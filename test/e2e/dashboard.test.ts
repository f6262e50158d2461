/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core against
 * `ratchet serve` started as users start it, once open (no token) and once with RATCHET_API_TOKEN.
 * Each width walks the whole loop a user would: sign in, find a task, run it from the generated
 * form, read its output and logs, open it in the history, roll back a version, create a schedule
 * and read its next run times. Screenshots go to test-results/dashboard/.
 */
import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe, type ServeProcess } from "../support/serve-process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/ratchet.js");
const SHOTS = join(ROOT, "test-results/dashboard");
const TOKEN = "dashboard-test-token-0123456789";

function findChromium(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const CHROMIUM = findChromium();
if (!CHROMIUM) {
  console.warn(
    "\n*** SKIPPING the dashboard browser tests (test/e2e/dashboard.test.ts): no `chromium` on PATH. " +
      "Install Debian's package (`apt-get install -y chromium`; .ci/run does) to run them. ***\n",
  );
}
const browserSuite = CHROMIUM ? describe : describe.skip;

interface Server {
  process: ServeProcess;
  base: string;
  work: string;
}

/** A task whose input schema has one of each kind of field the run form generates; it answers with its input. */
const FORM_KINDS = {
  "metadata.json": { uuid: "0d6f3c1e-5a47-4b8e-9d2a-7c3e1f0b9a11", version: "1.0.0", label: "Form kinds", description: "Echoes its input.", author: "test", tags: ["test"] },
  "main.js": "(function (input) {\n  console.log('echo ' + input.name);\n  return { echo: input };\n})\n",
  "input.schema.json": {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    required: ["name", "count", "level", "when"],
    additionalProperties: false,
    properties: {
      name: { type: "string", description: "Who to greet" },
      count: { type: "integer", minimum: 1, default: 2 },
      ratio: { type: "number" },
      loud: { type: "boolean", default: false },
      level: { enum: ["low", "high"] },
      email: { type: "string", format: "email" },
      site: { type: "string", format: "uri" },
      when: { type: "string", format: "date-time" },
      address: { type: "object", required: ["city"], properties: { city: { type: "string" }, zip: { type: "string" } } },
      tags: { type: "array", items: { type: "string" } },
      extra: { oneOf: [{ type: "string" }, { type: "number" }] },
    },
  },
  "output.schema.json": { $schema: "http://json-schema.org/draft-07/schema#", type: "object" },
};

async function serve(token?: string): Promise<Server> {
  const work = await mkdtemp(join(tmpdir(), "ratchet-dashboard-"));
  for (const task of ["addition", "log-and-validate"]) await cp(join(ROOT, "tasks", task), join(work, "tasks", task), { recursive: true });
  await mkdir(join(work, "tasks/form-kinds"));
  for (const [file, content] of Object.entries(FORM_KINDS)) await writeFile(join(work, "tasks/form-kinds", file), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  const process = startServe("/usr/bin/node", [BIN, "serve", "--port", "0"], work, token ? { RATCHET_API_TOKEN: token } : { RATCHET_API_TOKEN: "" });
  const [, base] = (await process.waitFor(/serving the Worker on (http:\/\/\S+)/, 120_000)) as [string, string];
  await process.waitFor(/watching /, 60_000);
  return { process, base, work };
}

/** Saves a new version of addition (the serve watcher deploys it) and waits until the API serves it. */
async function deployNewVersion(server: Server, version: string, token?: string): Promise<void> {
  const file = join(server.work, "tasks/addition/metadata.json");
  const metadata = JSON.parse(await readFile(file, "utf8")) as { version: string };
  await writeFile(file, JSON.stringify({ ...metadata, version }, null, 2));
  const headers = token ? { authorization: `Bearer ${token}` } : undefined;
  for (let attempt = 0; attempt < 150; attempt++) {
    const task = (await (await fetch(`${server.base}/api/v1/tasks/addition`, { headers })).json()) as { current_version: { version: string } };
    if (task.current_version.version === version) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`addition ${version} was not deployed:\n${server.process.log()}`);
}

/** A page that records every console error and uncaught exception. */
async function openPage(browser: Browser, width: number, colorScheme: "light" | "dark" = "light"): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: width < 600 ? 844 : 900 }, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return { page, problems };
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const { scroll, viewport } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(scroll, `page ${page.url()} is wider than the viewport`).toBeLessThanOrEqual(viewport);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

let browser: Browser | undefined;
let open: Server | undefined;
let guarded: Server | undefined;

browserSuite(CHROMIUM ? `dashboard in Chromium (${CHROMIUM})` : "dashboard in Chromium: SKIPPED, no chromium on PATH (apt-get install -y chromium)", () => {
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    [open, guarded, browser] = await Promise.all([
      serve(),
      serve(TOKEN),
      chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] }),
    ]);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const server of [open, guarded]) {
      server?.process.child.kill("SIGTERM");
      if (server) await server.process.exited;
      if (server) await rm(server.work, { recursive: true, force: true });
    }
  }, 60_000);

  it("with access control, asks for a token, refuses a wrong one, signs in with the right one and out again", async () => {
    const { page, problems } = await openPage(browser!, 1280);
    await page.goto(`${guarded!.base}/`);
    await expect.poll(() => new URL(page.url()).pathname).toBe("/sign-in");
    await page.getByLabel("API token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not valid");
    await page.getByLabel("API token").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Tasks", exact: true }).waitFor();
    expect(page.url()).not.toContain(TOKEN);
    const cookie = (await page.context().cookies()).find((c) => c.name === "ratchet_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(await page.evaluate(() => document.cookie)).not.toContain(TOKEN);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/sign-in");
    await page.goto(`${guarded!.base}/history`);
    await expect.poll(() => new URL(page.url()).pathname).toBe("/sign-in");
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("refuses a form posted without the page's CSRF token, and one from another origin", async () => {
    const home = await fetch(`${open!.base}/tasks/addition`);
    const seed = /ratchet_csrf=([^;]+)/.exec(home.headers.get("set-cookie") ?? "")?.[1];
    expect(seed).toBeDefined();
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${open!.base}/tasks/addition/rollback`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", cookie: `ratchet_csrf=${seed}`, ...headers }, body });
    const noToken = await post({ origin: open!.base }, "version=1.0.0");
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain("security token did not match");
    const foreign = await post({ origin: "https://evil.example" }, "version=1.0.0&_csrf=x");
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain("another site");
  });

  for (const width of [1280, 390]) {
    const label = width < 600 ? "phone" : "desktop";

    it(`${label} (${width} px): find a task, run it from the generated form, see output and logs, open it in the history`, async () => {
      const { page, problems } = await openPage(browser!, width);
      await page.goto(`${open!.base}/`);
      await page.getByLabel("Search tasks").fill("order");
      await page.getByRole("button", { name: "Search" }).click();
      await expect.poll(() => page.locator("table.tasks tbody tr").count()).toBe(1);
      await noSidewaysScroll(page);
      await shot(page, `${label}-tasks`);
      await page.getByRole("link", { name: "log-and-validate" }).click();
      await page.getByRole("heading", { name: /log-and-validate/ }).waitFor();
      await noSidewaysScroll(page);
      await shot(page, `${label}-task`);

      await page.getByRole("link", { name: "Run log-and-validate" }).click();
      await page.getByLabel(/^orderId/).fill("ORD-7");
      await page.getByLabel(/^currency/).fill("eur");
      await page.getByRole("button", { name: "Add lines item" }).click();
      await page.getByLabel(/^sku/).fill("MUG-01");
      await page.getByLabel(/^quantity/).fill("2");
      await page.getByLabel(/^unitPrice/).fill("4.5");
      await page.getByLabel(/^lineTotal/).fill("9");
      await expect.poll(() => page.getByLabel(/^discount/).inputValue()).toBe("0");
      await page.getByLabel(/^total/).fill("9");
      // The browser checks the input against the schema first: a lower-case currency breaks its pattern.
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await expect.poll(() => page.locator("[data-errors]").textContent()).toContain("/currency");
      expect(new URL(page.url()).pathname).toBe("/tasks/log-and-validate/run");
      await noSidewaysScroll(page);
      await shot(page, `${label}-run-form`);
      await page.getByLabel(/^currency/).fill("EUR");
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await page.waitForURL(/\/executions\//);
      const executionPath = new URL(page.url()).pathname;
      await expect.poll(() => page.locator("main").textContent()).toContain('"valid": true');
      expect(await page.getByRole("region", { name: /Logs/ }).textContent()).toContain("Order ORD-7 is consistent");
      expect(await page.locator("main").textContent()).toContain("completed");
      await noSidewaysScroll(page);
      await shot(page, `${label}-execution`);

      // Raw-JSON mode and "run again": the form comes back with the recorded input.
      await page.getByRole("link", { name: "Run again" }).click();
      await expect.poll(() => page.getByLabel(/^orderId/).inputValue()).toBe("ORD-7");
      await page.getByLabel("Raw JSON").check();
      expect(JSON.parse(await page.getByLabel("Input (JSON)").inputValue())).toMatchObject({ orderId: "ORD-7", currency: "EUR", lines: [{ sku: "MUG-01", quantity: 2 }] });

      await page.getByRole("link", { name: "History" }).first().click();
      await page.getByRole("heading", { name: "History" }).waitFor();
      await page.locator(`a[href="${executionPath}"]`).first().click();
      await page.waitForURL((url) => url.pathname === executionPath);
      await page.getByRole("link", { name: "History", exact: true }).click();
      await page.getByRole("heading", { name: "History" }).waitFor();
      expect(await page.locator("#f-task option").allTextContents()).toContain("addition");
      await page.getByLabel("Task").selectOption("addition");
      await page.getByRole("button", { name: "Filter" }).click();
      const before = await page.locator("tbody tr").count();
      // A run that arrives while the page is open appears without a reload.
      await fetch(`${open!.base}/api/v1/run/addition`, { method: "POST", body: JSON.stringify({ num1: 1, num2: width }) });
      await expect.poll(() => page.locator("tbody tr").count(), { timeout: 15_000 }).toBe(before + 1);
      await noSidewaysScroll(page);
      await shot(page, `${label}-history`);

      // The task list and the charts count what just ran.
      await page.getByRole("link", { name: "Tasks" }).first().click();
      const row = page.locator("table.tasks tbody tr", { has: page.getByRole("link", { name: "log-and-validate" }) });
      expect(await row.locator("td[data-label='Last run']").textContent()).toBe("completed");
      expect(await row.locator("td[data-label='Success (7 d)']").textContent()).toMatch(/^100% of \d+$/);
      expect(await row.locator("td[data-label='p50 (7 d)']").textContent()).toMatch(/ ms$/);
      expect(await page.locator("svg rect.bar-ok").count()).toBeGreaterThan(0);
      expect(await page.locator("svg g.line-p50 circle").count()).toBeGreaterThan(0);
      await noSidewaysScroll(page);
      await shot(page, `${label}-overview`);
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it(`${label} (${width} px), signed in: roll back a version, create a schedule and see its next run times`, async () => {
      const version = width < 600 ? "1.2.0" : "1.1.0";
      await deployNewVersion(guarded!, version, TOKEN);
      const { page, problems } = await openPage(browser!, width);
      await page.goto(`${guarded!.base}/sign-in`);
      await page.getByLabel("API token").fill(TOKEN);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("link", { name: "addition" }).click();
      await page.getByRole("heading", { name: new RegExp(`addition ${version.replaceAll(".", "\\.")}`) }).waitFor();
      await page.getByRole("button", { name: "Roll back to 1.0.0" }).click();
      await expect.poll(() => page.getByRole("status").textContent()).toContain("Rolled back: 1.0.0 is the current version");
      const current = (await (await fetch(`${guarded!.base}/api/v1/tasks/addition`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { current_version: { version: string } };
      expect(current.current_version.version).toBe("1.0.0");
      await noSidewaysScroll(page);

      await page.getByRole("link", { name: "Schedules" }).first().click();
      await page.getByLabel("Task").selectOption("addition");
      await page.getByLabel("Cron expression").fill("*/15 * * * *");
      await page.getByLabel("Time zone").fill("Europe/Paris");
      await expect.poll(() => page.locator("[data-cron-preview]").textContent()).toContain("Every 15 minutes");
      expect(await page.locator("[data-cron-preview] ol.next-runs li").count()).toBe(5);
      await page.getByLabel("Input (JSON)").fill('{"num1": 20, "num2": 22}');
      await noSidewaysScroll(page);
      await shot(page, `${label}-schedule-form`);
      await page.getByRole("button", { name: "Create schedule" }).click();
      await expect.poll(() => page.getByRole("status").textContent()).toContain("Schedule created.");
      const times = await page.locator("ol.next-runs li").allTextContents();
      expect(times).toHaveLength(5);
      for (const time of times) expect(time).toContain("(Europe/Paris)");
      await page.getByRole("button", { name: "Disable" }).click();
      await expect.poll(() => page.getByRole("status").textContent()).toContain("Schedule disabled.");
      await page.getByRole("button", { name: "Enable" }).click();
      await expect.poll(() => page.getByRole("status").textContent()).toContain("Schedule enabled.");
      await noSidewaysScroll(page);
      await shot(page, `${label}-schedule`);
      await page.getByRole("button", { name: "Run now" }).click();
      await page.waitForURL(/\/executions\//);
      await expect.poll(() => page.locator("main").textContent()).toContain('"sum": 42');
      expect(problems).toEqual([]);
      await page.context().close();
    });
  }

  it("filters the history by task, status, trigger and time", async () => {
    const rows = async (query: string) => {
      const html = await (await fetch(`${open!.base}/history/rows?${query}`)).text();
      return [...html.matchAll(/<td data-label="Task">([^<]*)<\/td><td data-label="Status"><span class="status status-\w+">(\w+)<\/span>/g)].map((m) => `${m[1]} ${m[2]}`);
    };
    const additions = await rows("task=addition");
    expect(additions.length).toBeGreaterThan(0);
    expect(new Set(additions)).toEqual(new Set(["addition completed"]));
    expect(await rows("task=addition&status=failed")).toEqual([]);
    expect((await rows("trigger=http")).length).toBeGreaterThan(additions.length);
    expect(await rows("trigger=schedule")).toEqual([]);
    expect(await rows("since=2999-01-01T00:00")).toEqual([]);
    expect((await rows("until=2999-01-01T00:00")).length).toBeGreaterThan(0);
  });

  it("offers a read-only token limited to one task only that task, and no action its scope does not allow", async () => {
    const created = await fetch(`${guarded!.base}/api/v1/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ name: "viewer", scopes: ["read"], tasks: ["addition"] }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const { page, problems } = await openPage(browser!, 1280);
    await page.goto(`${guarded!.base}/sign-in`);
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Tasks", exact: true }).waitFor();
    expect(await page.locator("table.tasks tbody tr").allTextContents()).toEqual([expect.stringContaining("addition")]);
    await page.getByRole("link", { name: "addition" }).click();
    await page.getByRole("heading", { name: "Versions" }).waitFor();
    expect(await page.getByRole("link", { name: /^Run / }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /Roll back/ }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "New schedule" }).count()).toBe(0);
    await page.getByRole("link", { name: "Schedules" }).first().click();
    expect(await page.getByRole("button", { name: "Create schedule" }).count()).toBe(0);
    // Asked for directly, the pages it was not offered refuse it.
    const request = page.context().request;
    expect((await request.get(`${guarded!.base}/tasks/addition/run`)).status()).toBe(403);
    expect((await request.get(`${guarded!.base}/tasks/log-and-validate`)).status()).toBe(403);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("generates the right control for each kind of field, and sends what they hold", async () => {
    const { page, problems } = await openPage(browser!, 1280);
    await page.goto(`${open!.base}/tasks/form-kinds/run`);
    const type = (label: RegExp) => page.getByLabel(label).evaluate((el) => `${el.tagName.toLowerCase()}:${(el as HTMLInputElement).type}`);
    expect(await type(/^name/)).toBe("input:text");
    expect(await type(/^count/)).toBe("input:number");
    expect(await page.getByLabel(/^count/).getAttribute("step")).toBe("1");
    expect(await page.getByLabel(/^count/).inputValue()).toBe("2");
    expect(await page.getByLabel(/^ratio/).getAttribute("step")).toBe("any");
    expect(await type(/^loud/)).toBe("input:checkbox");
    expect(await type(/^level/)).toBe("select:select-one");
    expect(await type(/^email/)).toBe("input:email");
    expect(await type(/^site/)).toBe("input:url");
    expect(await type(/^when/)).toBe("input:datetime-local");
    expect(await type(/^extra/)).toBe("textarea:textarea");
    expect(await page.getByLabel(/^name/).getAttribute("aria-required")).toBe("true");
    expect(await page.getByLabel(/^ratio/).getAttribute("aria-required")).toBeNull();
    expect(await page.getByLabel(/^name/).evaluate((el) => document.getElementById(el.getAttribute("aria-describedby")!)?.textContent)).toBe("Who to greet");
    await page.getByLabel(/^name/).fill("Ada");
    await page.getByLabel(/^level/).selectOption("high");
    await page.getByLabel(/^email/).fill("ada@example.com");
    await page.getByLabel(/^when/).fill("2026-12-01T09:30");
    await page.getByRole("group", { name: /address/ }).getByLabel(/^city/).fill("Paris");
    await page.getByRole("button", { name: "Add tags item" }).click();
    await page.getByLabel(/^Item 1/).fill("x");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.waitForURL(/\/executions\//);
    const output = JSON.parse((await page.locator('pre[aria-label="Output"]').textContent()) ?? "null") as unknown;
    expect(output).toEqual({
      echo: { name: "Ada", count: 2, loud: false, level: "high", email: "ada@example.com", when: "2026-12-01T09:30:00.000Z", address: { city: "Paris" }, tags: ["x"] },
    });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("follows a dark system theme, and the keyboard reaches the skip link first", async () => {
    const { page, problems } = await openPage(browser!, 1280, "dark");
    await page.goto(`${open!.base}/tasks/addition`);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(13, 17, 23)");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(new URL(page.url()).hash).toBe("#main");
    await shot(page, "desktop-task-dark");
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("shows the diagnosis and the failing line for a failed run", async () => {
    const { page, problems } = await openPage(browser!, 1280);
    const failed = await fetch(`${open!.base}/api/v1/tasks/log-and-validate/execute`, {
      method: "POST",
      body: JSON.stringify({ orderId: "BAD-1", currency: "EUR", lines: [{ sku: "A", quantity: 1, unitPrice: 1, lineTotal: 5 }], total: 5 }),
    });
    const id = failed.headers.get("x-ratchet-execution-id");
    expect(failed.status).toBe(422);
    await page.goto(`${open!.base}/executions/${id}`);
    await page.getByRole("heading", { name: "Diagnosis" }).waitFor();
    expect(await page.locator(".code.failing li.marked").count()).toBe(1);
    expect(await page.locator("main").textContent()).toContain("Order BAD-1");
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
