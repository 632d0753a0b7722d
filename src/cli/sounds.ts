/**
 * `stasis-flows sounds ...`: prompts in Asterisk's sounds directory, per
 * language. ARI lists sounds but cannot upload them, so files are written to
 * ASTERISK_SOUNDS_DIR and then checked through ARI (Asterisk sees new files
 * at once; no reload exists or is needed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AriPort } from '../ari/port.js';
import { FLOW_PROMPTS } from '../apps/prompts.js';
import type { LocalConfig } from '../config.js';
import { AppError, errorMessage } from '../errors.js';
import { addSounds, type AddedSound, type AddItem } from '../sounds/add.js';
import { missingPrompts, listLanguage, promptStatus, type PromptStatus } from '../sounds/inventory.js';
import { checkLanguage, checkSoundName, soundNameFromFile } from '../sounds/names.js';
import { NO_PROGRESS, createProgress } from '../sounds/progress.js';
import { removeSound } from '../sounds/remove.js';
import { SoundsDir } from '../sounds/sounds-dir.js';
import { synthesise, ttsCacheDir } from '../sounds/synthesise.js';
import { runTool } from '../sounds/tools.js';
import { UsageError, commandUsage, type Command, type CommandContext, type CommandGroup } from './command.js';
import { plural, text } from './common.js';
import { formatTable } from './table.js';

/** `--lang`, or the first configured language (STASIS_FLOWS_LANGUAGES, default en). */
function languageOption(value: string | boolean | undefined, config: LocalConfig): string {
  return checkLanguage(text(value) ?? config.languages[0] ?? 'en');
}

/** `--lang a,b`, or every configured language. */
function languagesOption(value: string | boolean | undefined, config: LocalConfig): string[] {
  const raw = text(value);
  if (raw === undefined) return [...config.languages];
  const languages = raw.split(',').map((l) => l.trim()).filter(Boolean);
  if (languages.length === 0) throw new AppError('INVALID_INPUT', '--lang needs at least one language');
  return [...new Set(languages.map(checkLanguage))];
}

/**
 * Runs `fn` with the configuration and a way to reach ARI (undefined with
 * --no-verify, which needs no ARI configuration at all).
 */
function withAri<T>(ctx: CommandContext, verify: boolean, fn: (config: LocalConfig, connect: (() => Promise<AriPort>) | undefined) => Promise<T>): Promise<T> {
  return verify ? fn(ctx.config(), () => ctx.ari()) : fn(ctx.localConfig(), undefined);
}

/** A private folder for converted files and speech, removed afterwards. */
async function withStaging<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stasis-flows-sounds-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function printAdded(ctx: CommandContext, added: readonly AddedSound[], soundsDir: SoundsDir): void {
  const rows = added.map((a) => [
    a.name,
    a.language,
    `${a.durationSeconds.toFixed(2)} s`,
    a.listed === undefined ? 'not verified' : a.listed.join(', '),
    a.source === '' ? a.label : `${a.label} (${a.source})`,
  ]);
  ctx.out(formatTable(['NAME', 'LANG', 'DURATION', 'ASTERISK LISTS', 'SOURCE'], rows, [2]));
  const language = added[0]?.language ?? '';
  const files = added.flatMap((a) => a.written.map((f) => path.basename(f)));
  ctx.out(`Wrote ${files.join(', ')} to ${soundsDir.languageDir(language)}.`);
  const replaced = added.flatMap((a) => a.removed.map((f) => path.basename(f)));
  if (replaced.length > 0) ctx.out(`Removed older formats that would have been played instead: ${replaced.join(', ')}.`);
  ctx.out(
    added.every((a) => a.listed !== undefined)
      ? `Asterisk lists ${added.length === 1 ? 'it' : 'them'} in ${language} now; no reload is needed.`
      : 'Not checked through ARI (--no-verify): run "stasis-flows sounds check" once Asterisk runs.',
  );
}

const LANG_OPTION = { type: 'string', value: '<lang>', help: 'language folder, e.g. en, fr, pt_BR (default: the first of STASIS_FLOWS_LANGUAGES, en)' } as const;
const LANGS_OPTION = { type: 'string', value: '<lang,...>', help: 'languages to look at (default: STASIS_FLOWS_LANGUAGES, en)' } as const;
const FORCE_OPTION = { type: 'boolean', help: 'replace a sound that already exists in the language' } as const;
const NO_VERIFY_OPTION = { type: 'boolean', help: 'write the files without checking through ARI (Asterisk stopped)' } as const;

/** `add` takes one or more files: `variadic` lets the last of `args` take the rest. */
const add: Command = {
  summary: 'convert audio files and add them as sounds',
  synopsis: '<file...> [--name <name>] [--lang <lang>] [--force] [--no-verify]',
  description: [
    'Convert audio files (wav of any rate or channels, mp3, ogg, flac) into what Asterisk',
    'plays without transcoding: <name>.wav (8 kHz mono 16-bit, listed as slin) and',
    '<name>.sln16 (16 kHz, listed as slin16), written to <ASTERISK_SOUNDS_DIR>/<lang>/.',
    'Each file is named after its base name unless --name is given (one file only).',
    'Nothing is written unless every file converts; then Asterisk is asked through ARI',
    'whether it lists each sound in that language and both formats.',
  ].join('\n'),
  args: ['file'],
  variadic: true,
  options: {
    name: { type: 'string', value: '<name>', help: 'sound name (default: the file name without its extension)' },
    lang: LANG_OPTION,
    force: FORCE_OPTION,
    'no-verify': NO_VERIFY_OPTION,
  },
  async run({ values, positionals }, ctx) {
    const name = text(values.name);
    if (name !== undefined && positionals.length > 1) {
      throw new UsageError('--name names one sound; with several files each is named after its file', commandUsage('sounds', 'add', add));
    }
    const items: AddItem[] = positionals.map((file) => ({ input: file, name: name === undefined ? soundNameFromFile(file) : checkSoundName(name) }));
    return withAri(ctx, values['no-verify'] !== true, (config, connect) =>
      withStaging(async (stagingDir) => {
        const soundsDir = new SoundsDir(config.soundsDir);
        const progress = items.length > 1 ? createProgress(ctx.io.stderr, items.length * 2) : NO_PROGRESS;
        try {
          const added = await addSounds(
            { items, language: languageOption(values.lang, config), soundsDir, replace: values.force === true },
            { runner: runTool, progress, stagingDir, connect },
          );
          progress.end();
          printAdded(ctx, added, soundsDir);
          return 0;
        } finally {
          progress.end();
        }
      }),
    );
  },
};

const say: Command = {
  summary: 'synthesise a prompt with espeak-ng and add it',
  synopsis: '<text> --name <name> [--lang <lang>] [--voice <voice>] [--force] [--no-verify]',
  description: [
    'Speak <text> with espeak-ng and add the result as the sound <name>, like "add" does.',
    'The voice defaults to the language (fr_FR: fr-fr, then fr). Speech is cached in',
    '<STASIS_FLOWS_DATA_DIR>/tts-cache/ by text, voice and language: the same prompt is',
    'never synthesised twice.',
  ].join('\n'),
  args: ['text'],
  options: {
    name: { type: 'string', value: '<name>', help: 'sound name (required)' },
    lang: LANG_OPTION,
    voice: { type: 'string', value: '<voice>', help: 'espeak-ng voice, e.g. en-us, fr, en+f3 (espeak-ng --voices)' },
    force: FORCE_OPTION,
    'no-verify': NO_VERIFY_OPTION,
  },
  async run({ values, positionals: [spoken] }, ctx) {
    const name = text(values.name);
    if (name === undefined) throw new UsageError('missing option --name', commandUsage('sounds', 'say', say));
    checkSoundName(name);
    return withAri(ctx, values['no-verify'] !== true, (config, connect) =>
      withStaging(async (stagingDir) => {
        const language = languageOption(values.lang, config);
        const soundsDir = new SoundsDir(config.soundsDir);
        const voice = text(values.voice);
        // Asterisk first: unreachable, nothing is spoken nor cached (the connection is kept for the add).
        if (connect) {
          await connect().catch((err: unknown) => {
            throw new AppError('ARI_UNREACHABLE', `${errorMessage(err)}; nothing was written (--no-verify installs without asking Asterisk)`, { cause: err });
          });
        }
        const speech = await synthesise(
          { text: spoken!, language, ...(voice === undefined ? {} : { voice }) },
          { cacheDir: ttsCacheDir(config.dataDir), stagingDir, runner: runTool },
        );
        const label = spoken!.length > 40 ? `"${spoken!.slice(0, 37)}..."` : `"${spoken}"`;
        const added = await addSounds(
          { items: [{ input: speech.wav, name, label }], language, soundsDir, replace: values.force === true },
          { runner: runTool, progress: NO_PROGRESS, stagingDir, connect },
        );
        printAdded(ctx, added, soundsDir);
        ctx.out(`Spoken by espeak-ng voice ${speech.voice}${speech.cached ? ' (from the cache: espeak-ng did not run)' : ''}.`);
        return 0;
      }),
    );
  },
};

function cell(formats: readonly string[] | undefined): string {
  return formats === undefined || formats.length === 0 ? 'MISSING' : formats.join(',');
}

/** Every declared prompt (and with `all`, every other sound listed) in each language. */
async function listing(connect: () => Promise<AriPort>, languages: readonly string[], all: boolean): Promise<PromptStatus[]> {
  const ari = await connect();
  const status = await promptStatus(ari, FLOW_PROMPTS, languages);
  if (!all) return status;
  const declared = new Set(status.map((s) => s.prompt));
  const others = new Map<string, Record<string, readonly string[]>>();
  for (const language of languages) {
    for (const [id, codecs] of await listLanguage(ari, language)) {
      if (declared.has(id)) continue;
      others.set(id, { ...(others.get(id) ?? {}), [language]: codecs });
    }
  }
  const extra = [...others.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([prompt, formats]) => ({ prompt, flows: [], formats }));
  return [...status, ...extra];
}

const list: Command = {
  summary: "list the flows' prompts with the formats Asterisk has in each language",
  synopsis: '[--lang <lang,...>] [--all] [--json]',
  description: [
    'List every prompt the flows declare (src/apps/prompts.ts), the flows that play it, and',
    'per language the formats Asterisk lists through ARI (MISSING when it has none).',
    'With --all, every other sound Asterisk lists in those languages follows. Always exits 0;',
    '"sounds check" is the one that fails when something is missing.',
  ].join('\n'),
  args: [],
  options: {
    lang: LANGS_OPTION,
    all: { type: 'boolean', help: 'also list every other sound Asterisk has in those languages' },
    json: { type: 'boolean', help: 'print JSON instead of a table' },
  },
  async run({ values }, ctx) {
    return withAri(ctx, true, async (config, connect) => {
      const languages = languagesOption(values.lang, config);
      const rows = await listing(connect!, languages, values.all === true);
      if (values.json === true) {
        ctx.out(JSON.stringify(rows, null, 2));
        return 0;
      }
      ctx.out(formatTable(['SOUND', 'FLOWS', ...languages.map((l) => l.toUpperCase())], rows.map((r) => [r.prompt, r.flows.join(',') || '-', ...languages.map((l) => cell(r.formats[l]))])));
      const missing = missingPrompts(rows.filter((r) => r.flows.length > 0), languages);
      const counts = languages.map((l) => [l, missing.filter((m) => m.language === l).length] as const).filter(([, n]) => n > 0);
      if (counts.length > 0) ctx.out(`Missing: ${counts.map(([l, n]) => `${plural(n, 'prompt')} in ${l}`).join(', ')}; "stasis-flows sounds check" fails until they are added.`);
      return 0;
    });
  },
};

const check: Command = {
  summary: "check that every flow's prompts exist in every language; exit 1 if not",
  synopsis: '[--lang <lang,...>] [--json]',
  description: [
    'Check through ARI that Asterisk has every prompt the flows declare in each language',
    '(default: STASIS_FLOWS_LANGUAGES). Prints one line per language and exits 1 when',
    'anything is missing, so it can gate a deployment.',
  ].join('\n'),
  args: [],
  options: {
    lang: LANGS_OPTION,
    json: { type: 'boolean', help: 'print JSON: the missing prompts' },
  },
  async run({ values }, ctx) {
    return withAri(ctx, true, async (config, connect) => {
      const languages = languagesOption(values.lang, config);
      const status = await promptStatus(await connect!(), FLOW_PROMPTS, languages);
      const missing = missingPrompts(status, languages);
      if (values.json === true) {
        ctx.out(JSON.stringify({ languages, prompts: status.length, missing }, null, 2));
        return missing.length === 0 ? 0 : 1;
      }
      for (const language of languages) {
        const here = missing.filter((m) => m.language === language);
        ctx.out(
          here.length === 0
            ? `${language}: ok, all ${plural(status.length, 'prompt')} present`
            : `${language}: MISSING ${here.length} of ${status.length}: ${here.map((m) => `${m.sound} (${m.flows.join(', ')})`).join(', ')}`,
        );
      }
      if (missing.length > 0) ctx.out('Add each with: stasis-flows sounds add <file> --name <sound> --lang <lang> (or sounds say).');
      return missing.length === 0 ? 0 : 1;
    });
  },
};

const remove: Command = {
  summary: 'remove a sound from a language',
  synopsis: '<name> [--lang <lang>] [--force] [--no-verify]',
  description: [
    'Delete every format of <name> (wav, sln16, gsm...) from <ASTERISK_SOUNDS_DIR>/<lang>/,',
    'then check through ARI that Asterisk no longer lists it there. Other languages keep',
    "theirs. A prompt one of the flows plays is only removed with --force.",
  ].join('\n'),
  args: ['name'],
  options: {
    lang: LANG_OPTION,
    force: { type: 'boolean', help: 'remove it even if a flow plays it' },
    'no-verify': NO_VERIFY_OPTION,
  },
  async run({ values, positionals: [name] }, ctx) {
    return withAri(ctx, values['no-verify'] !== true, async (config, connect) => {
      const language = languageOption(values.lang, config);
      const removed = await removeSound(
        { name: name!, language, soundsDir: new SoundsDir(config.soundsDir), force: values.force === true, flowPrompts: FLOW_PROMPTS },
        { connect },
      );
      ctx.out(`Removed ${name} from ${language}: ${removed.files.map((f) => path.basename(f)).join(', ')}.`);
      ctx.out(removed.verified ? `Asterisk no longer lists it in ${language}.` : 'Not checked through ARI (--no-verify).');
      if (removed.flows.length > 0) ctx.out(`It is a prompt of ${removed.flows.join(', ')}: "stasis-flows sounds check" fails until it is back.`);
      return 0;
    });
  },
};

/** The `sounds` command group. */
export const soundsGroup: CommandGroup = {
  summary: "add, check and remove the flows' prompts in Asterisk's sounds directory, per language",
  commands: { add, say, list, check, remove },
};
