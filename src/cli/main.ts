import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config/load-config.js';
import { AgentdError, ConfigError, errorMessage } from '../errors.js';
import { VERSION } from '../version.js';
import { configCheckCommand } from './commands/config-check.js';
import { researchCommand } from './commands/research.js';
import { listRunsCommand, reportCommand, runActionCommand, showRunCommand } from './commands/runs.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { stopCommand } from './commands/stop.js';
import { ExitCode, processOutput, type Output } from './output.js';

const USAGE = `agentd ${VERSION}: a local research-team daemon

usage:
  agentd start [--config FILE] [--foreground]
  agentd stop [--config FILE]
  agentd status [--config FILE] [--json]
  agentd config check [--config FILE]
  agentd research "TOPIC" [--lang CODE] [--budget USD] [--team a,b,c] [--follow] [--json]
  agentd runs [--json]
  agentd show ID [--json]
  agentd report ID [-o FILE]
  agentd cancel ID [--json]
  agentd resume ID [--json]
  agentd --version | --help

Config: --config FILE, else $AGENTD_CONFIG, else ~/.config/agentd/config.json, else built-in defaults.`;

type Options = ParseArgsConfig['options'];

const COMMON: Options = { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } };
const COMMANDS: Record<string, Options> = {
  start: { foreground: { type: 'boolean' } },
  stop: {},
  status: { json: { type: 'boolean' } },
  config: {},
  research: { lang: { type: 'string' }, budget: { type: 'string' }, team: { type: 'string' }, follow: { type: 'boolean', short: 'f' }, json: { type: 'boolean' } },
  runs: { json: { type: 'boolean' } },
  show: { json: { type: 'boolean' } },
  report: { output: { type: 'string', short: 'o' } },
  cancel: { json: { type: 'boolean' } },
  resume: { json: { type: 'boolean' } },
};

/** Commands that name a run as their one argument. */
const NEEDS_ID = new Set(['show', 'report', 'cancel', 'resume']);

/** The CLI: parses `argv` (without node and the script), runs the command, and returns the exit code. */
export async function main(argv: string[], output: Output = processOutput): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    output.out(USAGE);
    return command === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (command === '--version' || command === '-v') {
    output.out(VERSION);
    return ExitCode.ok;
  }
  const specific = COMMANDS[command];
  if (!specific) {
    output.error(`agentd: unknown command "${command}"\n\n${USAGE}`);
    return ExitCode.usage;
  }

  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: { ...COMMON, ...specific }, allowPositionals: true, strict: true }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    });
  } catch (error) {
    output.error(`agentd ${command}: ${errorMessage(error)}\n\n${USAGE}`);
    return ExitCode.usage;
  }
  if (values.help) {
    output.out(USAGE);
    return ExitCode.ok;
  }

  if (NEEDS_ID.has(command) && positionals.length !== 1) {
    output.error(`agentd ${command}: expected one run id\n\n${USAGE}`);
    return ExitCode.usage;
  }
  if (command === 'research' && (positionals.length !== 1 || !positionals[0]?.trim())) {
    output.error(`agentd research: expected the topic as one argument (quote it)\n\n${USAGE}`);
    return ExitCode.usage;
  }
  const budget = typeof values.budget === 'string' ? Number(values.budget) : undefined;
  if (budget !== undefined && (!Number.isFinite(budget) || budget < 0)) {
    output.error(`agentd research: --budget expects a number of US dollars, got "${String(values.budget)}"`);
    return ExitCode.usage;
  }

  const configFile = typeof values.config === 'string' ? values.config : undefined;
  let config: Config;
  try {
    config = loadConfig({ file: configFile });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.error(error.message);
    return ExitCode.failure;
  }

  try {
    switch (command) {
      case 'start':
        return await startCommand({ config, configFile, foreground: values.foreground === true, output });
      case 'stop':
        return await stopCommand(config, output);
      case 'status':
        return await statusCommand(config, { json: values.json === true }, output);
      case 'research':
        return await researchCommand(
          config,
          {
            topic: positionals[0] as string,
            language: typeof values.lang === 'string' ? values.lang : undefined,
            budgetUsd: budget,
            team: typeof values.team === 'string' ? values.team.split(',').map((role) => role.trim()).filter(Boolean) : undefined,
            follow: values.follow === true,
            json: values.json === true,
          },
          output,
        );
      case 'runs':
        return await listRunsCommand(config, { json: values.json === true }, output);
      case 'show':
        return await showRunCommand(config, positionals[0] as string, { json: values.json === true }, output);
      case 'report':
        return await reportCommand(config, positionals[0] as string, { file: typeof values.output === 'string' ? values.output : undefined }, output);
      case 'cancel':
      case 'resume':
        return await runActionCommand(config, command, positionals[0] as string, { json: values.json === true }, output);
      case 'config':
        if (positionals[0] !== 'check') {
          output.error(`agentd config: expected "check"\n\n${USAGE}`);
          return ExitCode.usage;
        }
        return configCheckCommand(config, output);
      default:
        return ExitCode.usage;
    }
  } catch (error) {
    output.error(`agentd ${command}: ${error instanceof AgentdError ? error.message : errorMessage(error)}`);
    return error instanceof AgentdError && error.code === 'AGENTD_ERR_DAEMON' ? ExitCode.notRunning : ExitCode.failure;
  }
}
