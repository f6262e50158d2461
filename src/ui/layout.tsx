/** @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { script, style } from "./generated/assets.ts";
import type { Principal } from "../platform/access/principal.ts";

export const ASSET_PATHS = { script: `/assets/app.${script.hash}.js`, style: `/assets/app.${style.hash}.css` };

/** What every page's frame needs to know about the browser's session. */
export interface Frame {
  principal: Principal | null;
  /** Sign-out is offered only to a browser that signed in (open mode has no session). */
  signedIn: boolean;
  csrf: string;
}

const NAV = [
  { href: "/", label: "Tasks", key: "tasks" },
  { href: "/history", label: "History", key: "history" },
  { href: "/schedules", label: "Schedules", key: "schedules" },
] as const;

export type Section = (typeof NAV)[number]["key"] | "none";

/** The page frame: head with the shipped stylesheet and script, a skip link, the nav, and who is signed in. */
export function Layout(props: { title: string; frame: Frame; section: Section; children: Child }) {
  const { principal, signedIn, csrf } = props.frame;
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${props.title} · Ratchet`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={ASSET_PATHS.style} />
        <script src={ASSET_PATHS.script} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            Ratchet
          </a>
          {principal && (
            <nav aria-label="Main">
              <ul>
                {NAV.map((item) => (
                  <li>
                    <a href={item.href} aria-current={props.section === item.key ? "page" : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {principal && (
            <div class="who">
              <span title={`scopes: ${principal.scopes.join(", ")}`}>{principal.kind === "open" ? "local (open)" : principal.name}</span>
              {signedIn && (
                <form method="post" action="/sign-out">
                  <input type="hidden" name="_csrf" value={csrf} />
                  <button type="submit" class="link">
                    Sign out
                  </button>
                </form>
              )}
            </div>
          )}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
      </body>
      </html>
    </>
  );
}
