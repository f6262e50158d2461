/** @jsxImportSource hono/jsx */
import { CsrfField, Notice } from "../components.tsx";
import { Layout, type Frame } from "../layout.tsx";

/** The token form: the token is posted once and kept in an HttpOnly cookie (src/ui/session.ts). */
export function SignInPage(props: { frame: Frame; error?: string; closed?: string }) {
  return (
    <Layout title="Sign in" frame={props.frame} section="none">
      <h1>Sign in</h1>
      {props.closed ? (
        <Notice kind="error">{props.closed}</Notice>
      ) : (
        <form method="post" action="/sign-in" class="sign-in">
          {props.error && <Notice kind="error">{props.error}</Notice>}
          <CsrfField token={props.frame.csrf} />
          <div class="field">
            <label for="token">API token</label>
            <input id="token" name="token" type="password" required autocomplete="current-password" aria-describedby="token-help" />
            <small id="token-help">RATCHET_API_TOKEN or a token from `ratchet token create`. It is kept in an HttpOnly cookie for this site only.</small>
          </div>
          <button type="submit" class="primary">
            Sign in
          </button>
        </form>
      )}
    </Layout>
  );
}
