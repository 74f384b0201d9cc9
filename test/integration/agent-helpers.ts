/**
 * The agent's front doors as a bot platform calls them: the MCP SDK's own client over HTTP, and
 * Vapi's tool-calls message (the documented envelope, test/fixtures/voice/).
 */
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { inject } from 'vitest';
import type { CallTool, ToolResult } from '../../examples/agent/conversation';
import { callApi } from './helpers';

export function fixture(name: string): any {
  return JSON.parse(readFileSync(new URL(`../fixtures/voice/${name}`, import.meta.url), 'utf8'));
}

/** An MCP client connected to the local system's `/v1/mcp` with this API key. */
export async function mcpClient(apiKey: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${inject('apiUrl')}/v1/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
  });
  const client = new Client({ name: 'jobrelay-test-agent', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

export function mcpCallTool(client: Client): CallTool {
  return async (name, args) => {
    const result = await client.callTool({ name, arguments: args });
    const text = (result.content as Array<{ type: string; text?: string }>).map((part) => part.text ?? '').join('\n');
    return { text, data: (result.structuredContent ?? {}) as Record<string, any>, isError: result.isError === true };
  };
}

let callNumber = 0;

/** One tool call as Vapi sends it: the documented `tool-calls` message with this call in its toolCallList. */
export function vapiMessage(name: string, args: Record<string, unknown>, id = `toolu_${Date.now()}_${++callNumber}`): any {
  const message = fixture('vapi-tool-calls.json');
  message.message.toolCallList = [{ id, name, arguments: args }];
  message.message.toolWithToolCallList = [
    { ...message.message.toolWithToolCallList[0], name, toolCall: { id, type: 'function', function: { name, parameters: args } } },
  ];
  return message;
}

export function vapiCallTool(apiKey: string, headers: Record<string, string> = {}): CallTool {
  return async (name, args) => {
    const id = `toolu_${Date.now()}_${++callNumber}`;
    const response = await callApi('POST', '/v1/voice/vapi/tool-calls', {
      body: vapiMessage(name, args, id),
      headers: { authorization: `Bearer ${apiKey}`, ...headers },
    });
    if (response.status !== 200) throw new Error(`Vapi door answered ${response.status}: ${JSON.stringify(response.body)}`);
    const entry = response.body.results.find((r: { toolCallId: string }) => r.toolCallId === id);
    const parsed = JSON.parse(entry.result) as { result: string; isError: boolean; data: Record<string, any> };
    return { text: parsed.result, data: parsed.data, isError: parsed.isError } satisfies ToolResult;
  };
}
