/**
 * The SDK's real Client connected over an in-memory linked pair to a fresh Ratchet MCP server.
 * Tests call tools as an agent would and get the structured result, or the isError text.
 */
import { Client } from "@modelcontextprotocol/client";
import { InMemoryTransport, type CallToolResult } from "@modelcontextprotocol/server";
import { createRatchetMcpServer, type RatchetMcpServerOptions } from "../../src/mcp/server.ts";
import type { Workspace } from "../../src/workspace/workspace.ts";

export interface HarnessOptions extends Omit<RatchetMcpServerOptions, "workspace"> {
  /** The workspace, or a factory making one (e.g. a LocalWorkspace on a temp folder). */
  workspace: Workspace | (() => Workspace | Promise<Workspace>);
}

export interface Harness {
  client: Client;
  workspace: Workspace;
  /** Calls a tool: its structuredContent when it succeeded, else the isError text (a string). */
  call(name: string, args?: Record<string, unknown>): Promise<any>;
  /** The whole CallToolResult, for tests of content blocks, isError and progress. */
  callRaw(name: string, args?: Record<string, unknown>, options?: Parameters<Client["callTool"]>[1]): Promise<CallToolResult>;
  close(): Promise<void>;
}

export function resultText(result: CallToolResult): string {
  return result.content.map((block) => (block.type === "text" ? block.text : `[${block.type}]`)).join("\n");
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const workspace = typeof options.workspace === "function" ? await options.workspace() : options.workspace;
  const server = createRatchetMcpServer({ ...options, workspace });
  const client = new Client({ name: "ratchet-test", version: "1.0.0" });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  const callRaw: Harness["callRaw"] = async (name, args = {}, callOptions) => (await client.callTool({ name, arguments: args }, callOptions)) as CallToolResult;
  return {
    client,
    workspace,
    callRaw,
    async call(name, args = {}) {
      const result = await callRaw(name, args);
      return result.isError ? resultText(result) : result.structuredContent;
    },
    async close() {
      await client.close();
      await server.close();
    },
  };
}
