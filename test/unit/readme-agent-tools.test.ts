import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOOL_NAMES, retellToolDefinitions, vapiToolDefinitions, withAgentTools } from '../../functions/agent/tools';

const readmePath = resolve(import.meta.dirname, '../../README.md');

describe('README "Connect your agent" tool list', () => {
  it('is the one generated from the tool table (npm run docs:agent rewrites it)', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const generated = withAgentTools(readme);
    if (process.env.UPDATE_README === '1') writeFileSync(readmePath, generated);
    else expect(readme).toBe(generated);
  });

  it('Vapi and Retell definitions carry every tool with an object schema', () => {
    expect(vapiToolDefinitions('https://api.example.com').map((tool) => tool.function.name)).toEqual([...TOOL_NAMES]);
    for (const tool of retellToolDefinitions('https://api.example.com')) {
      expect(tool.parameters.type).toBe('object');
      expect(tool.url).toBe(`https://api.example.com/v1/voice/retell/functions/${tool.name}`);
    }
  });
});
