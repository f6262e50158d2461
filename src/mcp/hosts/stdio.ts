import type { McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";

/**
 * Serves MCP on this process's stdin/stdout until stdin ends. stdout carries JSON-RPC only: anything
 * written through console.log/info/debug (by a library, say) goes to stderr instead.
 */
export async function serveMcpStdio(factory: () => McpServer, onError: (error: Error) => void): Promise<void> {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  const ended = new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
  });
  const handle = serveStdio(factory, { onerror: onError });
  await ended;
  await handle.close();
}
