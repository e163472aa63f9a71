/**
 * Text from the web (titles, summaries, reports, error messages quoting pages) can carry terminal escape
 * sequences: printed raw, they could retitle the window, hide lines, plant hyperlinks or rewrite what was
 * shown. Everything the CLI prints passes through `forTerminal`, which keeps text, tabs and newlines.
 */
const OSC = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;
const CSI = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]/g;
const OTHER_ESCAPE = /\u001b[@-Z\\-_]/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function forTerminal(text: string): string {
  return text.replace(OSC, '').replace(CSI, '').replace(OTHER_ESCAPE, '').replace(CONTROL, '');
}
