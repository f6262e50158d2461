/** @jsxImportSource hono/jsx */
import { Hono, type Context, type Handler } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { canTouchTask, hasScope, type Principal, type Scope } from "../platform/access/principal.ts";
import { ApiError } from "../platform/errors.ts";
import { checkRateLimits } from "../platform/rate-limit/check.ts";
import type { AppEnv } from "../http/app-env.ts";
import { ensureBundledTasks } from "../platform/bundled-tasks.ts";
import { serveAsset } from "./assets.ts";
import { Notice } from "./components.tsx";
import { Layout, type Frame } from "./layout.tsx";
import { executionRoutes } from "./routes/executions.tsx";
import { scheduleRoutes } from "./routes/schedules.tsx";
import { taskRoutes } from "./routes/tasks.tsx";
import { csrfMatches, csrfToken, needsSignIn, sessionOf, signIn, signOut } from "./session.ts";
import { SignInPage } from "./pages/sign-in.tsx";

/**
 * Pages may load only this origin's script, style and images: no inline script can run, so
 * markup injected through a task's data could not act even if escaping failed somewhere.
 */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** What a dashboard handler gets: the request's principal and the page frame. */
export interface PageContext {
  c: Context<AppEnv>;
  principal: Principal;
  frame: Frame;
  /** Whether the principal holds the scope (and may touch `task`, when given). */
  may(scope: Scope, task?: string): boolean;
  /** A form field of a POST (already read and CSRF-checked). */
  field(name: string): string | undefined;
}

type PageHandler = (page: PageContext) => Response | Promise<Response>;

function secure(c: Context): void {
  c.header("Content-Security-Policy", CSP);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "same-origin");
  c.header("Cache-Control", "no-store");
}

/** An HTML error page with the status; what was wrong and what to do. */
export async function errorPage(c: Context<AppEnv>, status: ContentfulStatusCode, message: string): Promise<Response> {
  const session = await sessionOf(c);
  const frame: Frame = { principal: session.principal, signedIn: session.principal ? session.signedIn : false, csrf: await csrfToken(c) };
  secure(c);
  return c.html(
    <Layout title="Error" frame={frame} section="none">
      <h1>{status === 404 ? "Not found" : status === 403 ? "Not allowed" : status === 429 ? "Too many runs" : status === 503 ? "Storage unavailable, try again" : "Something went wrong"}</h1>
      <Notice kind="error">{message}</Notice>
      <p>
        <a href="/">Back to the tasks</a>
      </p>
    </Layout>,
    status,
  );
}

/**
 * Wraps a page: establishes who the browser is (sign-in when needed), checks the scope the page
 * needs, and for POSTs the CSRF token. Applied per route rather than with `use("*")`, so nothing
 * of the dashboard runs in front of /api/v1 or /mcp when it is mounted at the root.
 */
export function page(scope: Scope, handler: PageHandler): Handler<AppEnv> {
  return async (c) => {
    secure(c);
    const session = await sessionOf(c);
    if (!session.principal) {
      if (c.req.method === "GET") return c.redirect("/sign-in", 303);
      return errorPage(c, 403, `Not signed in: ${session.reason.message}`);
    }
    const principal = session.principal;
    c.set("principal", principal);
    // As the API's task routes do: a fresh isolate lists and runs the tasks packed into the Worker.
    await ensureBundledTasks(c.env);
    const form = c.req.method === "POST" ? await c.req.parseBody() : {};
    if (c.req.method === "POST" && !(await csrfMatches(c, form._csrf))) {
      return errorPage(c, 403, "The form's security token did not match (it is tied to your session). Reload the page and send the form again.");
    }
    if (!hasScope(principal, scope)) return errorPage(c, 403, `This needs the '${scope}' scope; ${principal.name} has: ${principal.scopes.join(", ") || "none"}.`);
    const task = c.req.param("name");
    if (task !== undefined && !canTouchTask(principal, task)) return errorPage(c, 403, `${principal.name} may not use the task ${task}.`);
    const frame: Frame = { principal, signedIn: session.signedIn, csrf: await csrfToken(c) };
    try {
      return await handler({
        c,
        principal,
        frame,
        may: (needed, name) => hasScope(principal, needed) && (name === undefined || canTouchTask(principal, name)),
        field: (name) => (typeof form[name] === "string" ? (form[name] as string) : undefined),
      });
    } catch (error) {
      // The platform's refusals (no such task or version, task disabled, storage unavailable) as pages with their status.
      if (error instanceof ApiError) {
        if (error.status === 503) c.header("Retry-After", "1");
        return errorPage(c, error.status, error.message);
      }
      throw error;
    }
  };
}

/** The API's rate limits on running a task (platform/rate-limit), for the dashboard's run buttons: a 429 page, or null to go on. */
export async function rateLimited({ c, principal }: PageContext): Promise<Response | null> {
  const refusal = await checkRateLimits(c.env, principal, c.req.header("CF-Connecting-IP"));
  if (!refusal) return null;
  c.header("Retry-After", String(refusal.retryAfter));
  return errorPage(c, 429, refusal.message);
}

async function signInPage(c: Context<AppEnv>, error?: string): Promise<Response> {
  secure(c);
  const session = await sessionOf(c);
  const closed = session.principal === null && session.reason.reason === "not_configured" ? session.reason.message : undefined;
  const frame: Frame = { principal: null, signedIn: false, csrf: await csrfToken(c) };
  // A refused token re-renders the form with 200: a 4xx document makes the browser log a console error for what is an ordinary typo.
  return c.html(<SignInPage frame={frame} error={error} closed={closed} />);
}

/** The dashboard at `/`: server-rendered pages over the platform's own services (src/platform, src/store). */
export function createDashboard(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(dashboardError);
  app.get("/assets/:file", serveAsset);
  // Origin (or Sec-Fetch-Site) must be this site's on every form POST; see session.ts for the token.
  const sameOrigin = csrf();
  app.get("/sign-in", async (c) => {
    if (!needsSignIn(c)) return c.redirect("/", 303);
    return signInPage(c);
  });
  app.post("/sign-in", sameOrigin, async (c) => {
    const form = await c.req.parseBody();
    if (!(await csrfMatches(c, form._csrf))) return signInPage(c, "The form's security token did not match. Send it again.");
    const token = typeof form.token === "string" ? form.token.trim() : "";
    if (token === "") return signInPage(c, "Enter a token.");
    const who = await signIn(c, token);
    if (!(who instanceof ApiError)) return c.redirect("/", 303);
    return signInPage(c, who.message);
  });
  app.post("/sign-out", sameOrigin, async (c) => {
    const form = await c.req.parseBody();
    if (!(await csrfMatches(c, form._csrf))) return errorPage(c, 403, "The form's security token did not match. Reload the page and sign out again.");
    signOut(c);
    return c.redirect("/sign-in", 303);
  });
  app.use("/tasks/*", async (c, next) => (c.req.method === "POST" ? sameOrigin(c, next) : next()));
  app.use("/schedules/*", async (c, next) => (c.req.method === "POST" ? sameOrigin(c, next) : next()));
  app.use("/schedules", async (c, next) => (c.req.method === "POST" ? sameOrigin(c, next) : next()));
  taskRoutes(app);
  executionRoutes(app);
  scheduleRoutes(app);
  return app;
}

/** A refused cross-site POST (Hono's csrf middleware) as a page, not a bare 403; anything unexpected is logged and shown as a 500 page without its details. */
async function dashboardError(error: Error, c: Context<AppEnv>): Promise<Response> {
  if (error instanceof HTTPException && error.status === 403) return errorPage(c, 403, "This form was sent from another site; it was refused.");
  console.error("dashboard error", error);
  return errorPage(c, 500, "Internal error; the incident was logged.");
}
