import { runDoctor } from '../../setup/doctor.js';
import type { DoctorCheck } from '../../setup/doctor-types.js';
import { ExitCode, type Output } from '../output.js';

const MARK: Record<DoctorCheck['status'], string> = { ok: 'ok  ', fail: 'FAIL', skipped: 'skip' };

/** `agentd doctor [--json]`: one line per check with the fix for a failing one; exit 1 when any fails. */
export async function doctorCommand(
  options: { configFile: string | undefined; json: boolean; env?: NodeJS.ProcessEnv },
  output: Output,
): Promise<number> {
  const checks = await runDoctor({ configFile: options.configFile, ...(options.env ? { env: options.env } : {}) });
  const failed = checks.filter((check) => check.status === 'fail').length;
  if (options.json) {
    output.out(JSON.stringify({ ok: failed === 0, checks }, null, 2));
  } else {
    const lines = checks.map(
      (check) => `${MARK[check.status]}  ${check.name}: ${check.detail}${check.fix ? `\n      fix: ${check.fix}` : ''}`,
    );
    const skippedCount = checks.filter((check) => check.status === 'skipped').length;
    lines.push(
      '',
      failed === 0
        ? `all ${checks.length - skippedCount} checks passed${skippedCount ? `, ${skippedCount} skipped` : ''}`
        : `${failed} of ${checks.length} checks failed`,
    );
    output.out(lines.join('\n'));
  }
  return failed === 0 ? ExitCode.ok : ExitCode.failure;
}
