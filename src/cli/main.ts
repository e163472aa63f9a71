import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config/load-config.js';
import { AgentdError, ConfigError, errorMessage } from '../errors.js';
import { VERSION } from '../version.js';
import { configCheckCommand } from './commands/config-check.js';
import { doctorCommand } from './commands/doctor.js';
import { initCommand } from './commands/init.js';
import { openCommand } from './commands/open.js';
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
  agentd init [--config FILE] [--yes]
  agentd doctor [--config FILE] [--json]
  agentd research "TOPIC" [--lang CODE] [--budget USD] [--team a,b,c] [--follow] [--json]
  agentd runs [--limit N] [--before ID] [--all] [--json]
  agentd show ID [--json]
  agentd report ID [-o FILE]
  agentd cancel ID [--json]
  agentd resume ID [--json]
  agentd open [--print]
  agentd --version | --help

Config: --config FILE, else $AGENTD_CONFIG, else ~/.config/agentd/config.json, else built-in defaults.`;

type Options = ParseArgsConfig['options'];

const COMMON: Options = { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } };
const COMMANDS: Record<string, Options> = {
  start: { foreground: { type: 'boolean' } },
  stop: {},
  status: { json: { type: 'boolean' } },
  config: {},
  init: { yes: { type: 'boolean', short: 'y' } },
  doctor: { json: { type: 'boolean' } },
  research: {
    lang: { type: 'string' },
    budget: { type: 'string' },
    team: { type: 'string' },
    follow: { type: 'boolean', short: 'f' },
    json: { type: 'boolean' },
  },
  runs: { json: { type: 'boolean' }, limit: { type: 'string' }, before: { type: 'string' }, all: { type: 'boolean' } },
  show: { json: { type: 'boolean' } },
  report: { output: { type: 'string', short: 'o' } },
  cancel: { json: { type: 'boolean' } },
  resume: { json: { type: 'boolean' } },
  open: { print: { type: 'boolean' } },
};

/** Commands that name a run as their one argument. */
const NEEDS_ID = new Set(['show', 'report', 'cancel', 'resume']);

type Values = Record<string, string | boolean | undefined>;

interface CommandLine {
  command: string;
  values: Values;
  positionals: string[];
}

/** The CLI: parses `argv` (without node and the script), runs the command, and returns the exit code. */
export async function main(argv: string[], output: Output = processOutput): Promise<number> {
  const parsed = parseCommandLine(argv, output);
  if (typeof parsed === 'number') return parsed;
  const problem = argumentProblem(parsed);
  if (problem) {
    output.error(`${problem}\n\n${USAGE}`);
    return ExitCode.usage;
  }
  const configFile = typeof parsed.values.config === 'string' ? parsed.values.config : undefined;
  // init writes the config, and doctor and config check report on it: none needs (nor may require) a valid
  // one; config check lists every problem, plugin options included, not loadConfig's first refusal.
  if (parsed.command === 'init' || parsed.command === 'doctor' || parsed.command === 'config') {
    try {
      if (parsed.command === 'config') return await configCheckCommand({ configFile }, output);
      return parsed.command === 'init'
        ? await initCommand({ configFile, yes: parsed.values.yes === true }, output)
        : await doctorCommand({ configFile, json: parsed.values.json === true }, output);
    } catch (error) {
      output.error(`agentd ${parsed.command}: ${errorMessage(error)}`);
      return ExitCode.failure;
    }
  }
  let config: Config;
  try {
    config = loadConfig({ file: configFile });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.error(error.message);
    return ExitCode.failure;
  }
  try {
    return await runCommand(parsed, config, configFile, output);
  } catch (error) {
    output.error(`agentd ${parsed.command}: ${error instanceof AgentdError ? error.message : errorMessage(error)}`);
    return error instanceof AgentdError && error.code === 'AGENTD_ERR_DAEMON' ? ExitCode.notRunning : ExitCode.failure;
  }
}

/** The command and its options, or the exit code when there is nothing more to do (help, version, usage). */
function parseCommandLine(argv: string[], output: Output): CommandLine | number {
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
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...COMMON, ...specific },
      allowPositionals: true,
      strict: true,
    }) as { values: Values; positionals: string[] };
    if (values.help) {
      output.out(USAGE);
      return ExitCode.ok;
    }
    return { command, values, positionals };
  } catch (error) {
    output.error(`agentd ${command}: ${errorMessage(error)}\n\n${USAGE}`);
    return ExitCode.usage;
  }
}

/** What is wrong with the arguments, before any config is read or daemon asked. */
function argumentProblem({ command, values, positionals }: CommandLine): string | undefined {
  if (NEEDS_ID.has(command) && positionals.length !== 1) return `agentd ${command}: expected one run id`;
  if (command === 'research' && positionals.length !== 1)
    return 'agentd research: expected the topic as one argument (quote it)';
  // Quoted, but nothing in it: "quote it" would not help.
  if (command === 'research' && !positionals[0]?.trim()) return 'agentd research: the topic is empty';
  if (command === 'config' && positionals[0] !== 'check') return 'agentd config: expected "check"';
  if ((command === 'init' || command === 'doctor') && positionals.length > 0)
    return `agentd ${command}: takes no arguments`;
  if (command === 'runs' && positionals.length > 0) return 'agentd runs: takes no arguments';
  if (values.limit !== undefined && !/^[1-9][0-9]*$/.test(String(values.limit)))
    return `agentd runs: --limit expects a whole number of runs, got "${String(values.limit)}"`;
  if (values.all === true && (values.limit !== undefined || values.before !== undefined))
    return 'agentd runs: --all lists every run: it takes neither --limit nor --before';
  if (values.budget !== undefined && !(Number(values.budget) >= 0))
    return `agentd research: --budget expects a number of US dollars, got "${String(values.budget)}"`;
  return undefined;
}

async function runCommand(
  { command, values, positionals }: CommandLine,
  config: Config,
  configFile: string | undefined,
  output: Output,
): Promise<number> {
  const json = values.json === true;
  const id = positionals[0] as string;
  switch (command) {
    case 'start':
      return startCommand({ config, configFile, foreground: values.foreground === true, output });
    case 'stop':
      return stopCommand(config, output);
    case 'status':
      return statusCommand(config, { json }, output);
    case 'research':
      return researchCommand(
        config,
        {
          topic: id,
          language: typeof values.lang === 'string' ? values.lang : undefined,
          budgetUsd: values.budget === undefined ? undefined : Number(values.budget),
          team:
            typeof values.team === 'string'
              ? values.team
                  .split(',')
                  .map((role) => role.trim())
                  .filter(Boolean)
              : undefined,
          follow: values.follow === true,
          json,
        },
        output,
      );
    case 'runs':
      return listRunsCommand(
        config,
        {
          json,
          limit: values.limit === undefined ? undefined : Number(values.limit),
          before: typeof values.before === 'string' ? values.before : undefined,
          all: values.all === true,
        },
        output,
      );
    case 'show':
      return showRunCommand(config, id, { json }, output);
    case 'report':
      return reportCommand(config, id, { file: typeof values.output === 'string' ? values.output : undefined }, output);
    case 'cancel':
    case 'resume':
      return runActionCommand(config, command, id, { json }, output);
    case 'open':
      return openCommand(config, { print: values.print === true }, output);
    default:
      return ExitCode.usage;
  }
}
