/**
 * `stasis-flows voice-app ...`: voice API applications (answer and event
 * webhooks, REST API public key) in the local store. No Asterisk needed.
 * Signature secrets are taken, never shown: output says only whether one is set.
 */
import { readFileSync } from 'node:fs';
import { AppError, errorMessage } from '../errors.js';
import { openVoiceStore, type NewVoiceApp, type VoiceApp, type VoiceStore, type WebhookMethod } from '../storage/index.js';
import { UsageError, commandUsage, type Command, type CommandContext, type CommandGroup, type OptionSpec } from './command.js';
import { text } from './common.js';
import { formatTable } from './table.js';

const GROUP = 'voice-app';

/** Opens the voice store the service uses, runs `fn`, and closes it. */
async function withVoiceStore<T>(ctx: CommandContext, fn: (store: VoiceStore) => Promise<T>): Promise<T> {
  const store = openVoiceStore(ctx.localConfig().dataDir);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Reads a method option, case-insensitive, naming the option when it is wrong. */
function methodOption(option: string, value: string | boolean | undefined): WebhookMethod | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const upper = raw.toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') throw new AppError('INVALID_INPUT', `--${option} must be GET or POST, got "${raw}"`);
  return upper;
}

/** The PEM in the `--public-key` file ("" stays "": `set` clears the key with it). */
function publicKeyOption(value: string | boolean | undefined): string | undefined {
  const file = text(value);
  if (file === undefined || file === '') return file;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('INVALID_INPUT', `cannot read --public-key ${file}: ${errorMessage(err)}`);
  }
}

/** The fields the options give; absent options are left out. */
function appFields(values: Record<string, string | boolean | undefined>): Partial<NewVoiceApp> {
  const fields: Partial<NewVoiceApp> = {};
  const answerUrl = text(values['answer-url']);
  const eventUrl = text(values['event-url']);
  const answerMethod = methodOption('answer-method', values['answer-method']);
  const eventMethod = methodOption('event-method', values['event-method']);
  const fallbackAnswerUrl = text(values['fallback-answer-url']);
  const signatureSecret = text(values['signature-secret']);
  if (answerUrl !== undefined) fields.answerUrl = answerUrl;
  if (eventUrl !== undefined) fields.eventUrl = eventUrl;
  if (answerMethod !== undefined) fields.answerMethod = answerMethod;
  if (eventMethod !== undefined) fields.eventMethod = eventMethod;
  if (fallbackAnswerUrl !== undefined) fields.fallbackAnswerUrl = fallbackAnswerUrl;
  if (signatureSecret !== undefined) fields.signatureSecret = signatureSecret;
  const publicKey = publicKeyOption(values['public-key']);
  if (publicKey !== undefined) fields.publicKey = publicKey;
  return fields;
}

const signed = (app: VoiceApp) => `signed: ${app.signatureSecret === undefined ? 'no' : 'yes'}`;
const keyed = (app: VoiceApp) => `public key: ${app.publicKey === undefined ? 'no' : 'yes'}`;

/** The lines after `add`/`set`'s first: what the app now is, without its secret. */
function details(app: VoiceApp): string {
  return [
    `  answer:   ${app.answerMethod} ${app.answerUrl}`,
    `  event:    ${app.eventMethod} ${app.eventUrl}`,
    `  fallback: ${app.fallbackAnswerUrl ?? '-'}`,
    `  ${signed(app)}`,
    `  ${keyed(app)}`,
  ].join('\n');
}

/** Options `add` and `set` share; `add` marks the two URLs required. */
function appOptions(clearable: boolean): Record<string, OptionSpec> {
  const clear = clearable ? '; "" removes it' : '';
  return {
    'answer-url': { type: 'string', value: '<url>', help: 'http(s) URL that answers each call with an NCCO' },
    'event-url': { type: 'string', value: '<url>', help: 'http(s) URL that receives call events' },
    'answer-method': { type: 'string', value: 'GET|POST', help: `how the answer URL is requested${clearable ? '' : ' (default: GET)'}` },
    'event-method': { type: 'string', value: 'POST|GET', help: `how events are sent${clearable ? '' : ' (default: POST)'}` },
    'fallback-answer-url': { type: 'string', value: '<url>', help: `answer URL tried when the answer URL fails${clear}` },
    'signature-secret': { type: 'string', value: '<s>', help: `secret that signs webhooks (HS256 JWT); never shown${clear}` },
    'public-key': { type: 'string', value: '<file>', help: `PEM RSA public key that verifies the REST API's RS256 JWTs${clear}` },
  };
}

const OPTIONS_SYNOPSIS = '[--answer-method GET|POST] [--event-method POST|GET] [--fallback-answer-url <url>] [--signature-secret <s>] [--public-key <file>]';

const add: Command = {
  summary: 'add a voice application',
  synopsis: `<name> --answer-url <url> --event-url <url> ${OPTIONS_SYNOPSIS}`,
  description: [
    'Add a voice application. <name> is 1-64 letters, digits, "-", "_" or "." (what the',
    'dialplan passes: Stasis(voice-api,<name>)). Prints its new application_id.',
  ].join('\n'),
  args: ['name'],
  options: {
    ...appOptions(false),
    'answer-url': { type: 'string', value: '<url>', help: 'http(s) URL that answers each call with an NCCO (required)' },
    'event-url': { type: 'string', value: '<url>', help: 'http(s) URL that receives call events (required)' },
  },
  async run({ values, positionals: [name] }, ctx) {
    const usage = commandUsage(GROUP, 'add', add);
    const fields = appFields(values);
    if (fields.answerUrl === undefined) throw new UsageError('missing option --answer-url', usage);
    if (fields.eventUrl === undefined) throw new UsageError('missing option --event-url', usage);
    return withVoiceStore(ctx, async (store) => {
      const app = await store.addApp({ ...fields, name: name!, answerUrl: fields.answerUrl!, eventUrl: fields.eventUrl! });
      ctx.out(`added voice app "${app.name}": application_id ${app.id}`);
      ctx.out(details(app));
      return 0;
    });
  },
};

const list: Command = {
  summary: 'list voice applications',
  synopsis: '[--json]',
  args: [],
  options: {
    json: { type: 'boolean', help: 'print JSON instead of a table' },
  },
  async run({ values }, ctx) {
    return withVoiceStore(ctx, async (store) => {
      const apps = await store.listApps();
      if (values.json === true) {
        const shown = apps.map(({ signatureSecret, publicKey, ...app }) => ({ ...app, signed: signatureSecret !== undefined, publicKey: publicKey !== undefined }));
        ctx.out(JSON.stringify(shown, null, 2));
      } else if (apps.length === 0) {
        ctx.out('No voice apps yet. Add one with: stasis-flows voice-app add <name> --answer-url <url> --event-url <url>');
      } else {
        const cells = apps.map((a) => [a.name, a.id, `${a.answerMethod} ${a.answerUrl}`, `${a.eventMethod} ${a.eventUrl}`, a.fallbackAnswerUrl ?? '-', signed(a), keyed(a)]);
        ctx.out(formatTable(['NAME', 'APPLICATION_ID', 'ANSWER', 'EVENT', 'FALLBACK', 'SIGNED', 'PUBLIC KEY'], cells));
      }
      return 0;
    });
  },
};

const set: Command = {
  summary: "change a voice application's webhooks, secret or public key",
  synopsis: `<name> [--answer-url <url>] [--event-url <url>] ${OPTIONS_SYNOPSIS}`,
  description: [
    "Change a voice application's webhooks, signature secret or public key. Options left",
    'out keep their value; --fallback-answer-url "", --signature-secret "" and',
    '--public-key "" remove them.',
  ].join('\n'),
  args: ['name'],
  options: appOptions(true),
  async run({ values, positionals: [name] }, ctx) {
    const fields = appFields(values);
    if (Object.keys(fields).length === 0) {
      throw new UsageError('nothing to change: give --answer-url, --event-url, a method, --fallback-answer-url, --signature-secret or --public-key', commandUsage(GROUP, 'set', set));
    }
    return withVoiceStore(ctx, async (store) => {
      const app = await store.updateApp(name!, fields);
      ctx.out(`updated voice app "${app.name}": application_id ${app.id}`);
      ctx.out(details(app));
      return 0;
    });
  },
};

const remove: Command = {
  summary: 'remove a voice application',
  synopsis: '<name>',
  description: 'Remove a voice application. Its recordings stay on disk and in the database.',
  args: ['name'],
  options: {},
  async run({ positionals: [name] }, ctx) {
    return withVoiceStore(ctx, async (store) => {
      const app = await store.getApp(name!);
      // By name only: an id would remove the app the id names, which `remove <name>` does not promise.
      if (!app || app.name !== name || !(await store.removeApp(app.name))) throw new AppError('NOT_FOUND', `voice app "${name}" does not exist`);
      ctx.out(`removed voice app "${app.name}": application_id ${app.id}`);
      return 0;
    });
  },
};

/** The `voice-app` command group. */
export const voiceAppGroup: CommandGroup = {
  summary: 'manage voice API applications (no Asterisk needed)',
  commands: { add, list, remove, set },
};
