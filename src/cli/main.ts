import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config/load-config.js';
import { AgentdError, ConfigError, errorMessage } from '../errors.js';
import { VERSION } from '../version.js';
import { configCheckCommand } from './commands/config-check.js';
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
  agentd --version | --help

Config: --config FILE, else $AGENTD_CONFIG, else ~/.config/agentd/config.json, else built-in defaults.`;

type Options = ParseArgsConfig['options'];

const COMMON: Options = { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } };
const COMMANDS: Record<string, Options> = {
  start: { foreground: { type: 'boolean' } },
  stop: {},
  status: { json: { type: 'boolean' } },
  config: {},
};

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
