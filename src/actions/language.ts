/** Language names for prompts, by ISO 639-1 code; models follow "Write in Chinese" better than "zh". */
const NAMES: Record<string, string> = {
  en: 'English',
  zh: 'Chinese (Simplified)',
  'zh-cn': 'Chinese (Simplified)',
  'zh-tw': 'Chinese (Traditional)',
  ja: 'Japanese',
  ko: 'Korean',
  fr: 'French',
  de: 'German',
  es: 'Spanish',
  pt: 'Portuguese',
  it: 'Italian',
  ru: 'Russian',
  ar: 'Arabic',
  nl: 'Dutch',
  pl: 'Polish',
  tr: 'Turkish',
  hi: 'Hindi',
};

export function languageName(code: string): string {
  return NAMES[code.toLowerCase()] ?? code;
}
