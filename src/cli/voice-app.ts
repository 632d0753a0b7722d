/**
 * `stasis-flows voice-app ...`: voice API applications (dialect, answer and
 * event webhooks, REST API public key) in the local store. No Asterisk needed.
 * Signature secrets are taken, never shown: output says only whether one is set.
 * The one exception is a TwiML auth token the CLI generates: printed once, when made.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { toSid } from '../documents/twiml/sids.js';
import { AppError, errorMessage } from '../errors.js';
import { checkDialect } from '../storage/voice-rules.js';
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

/** Bytes a PEM public key file may have: an RSA-8192 SPKI PEM is about 1.5 KiB (the store takes 16 KiB). */
const MAX_KEY_FILE = 16 * 1024;

/** The PEM in the `--public-key` file ("" stays "": `set` clears the key with it). */
function publicKeyOption(value: string | boolean | undefined): string | undefined {
  const file = text(value);
  if (file === undefined || file === '') return file;
  const refuse = (why: string) => new AppError('INVALID_INPUT', `cannot read --public-key ${file}: ${why}`);
  try {
    // Checked before reading: /dev/zero or a FIFO would be read forever, a big file whole.
    const info = statSync(file);
    if (!info.isFile()) throw refuse('not a regular file');
    if (info.size > MAX_KEY_FILE) throw refuse(`${info.size} bytes is too large for a PEM public key (at most ${MAX_KEY_FILE})`);
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw refuse(errorMessage(err));
  }
}

/** A new TwiML auth token: 32 lower-case hex digits, as Twilio's. */
function newAuthToken(): string {
  return randomBytes(16).toString('hex');
}

/** A TwiML app's Account SID; undefined for an NCCO app (it has none). */
function accountSid(app: Pick<VoiceApp, 'dialect' | 'id'>): string | undefined {
  return app.dialect === 'twiml' ? toSid('AC', app.id) : undefined;
}

/** The fields the options give; absent options are left out. */
function appFields(values: Record<string, string | boolean | undefined>): Partial<NewVoiceApp> {
  const fields: Partial<NewVoiceApp> = {};
  const dialect = text(values.dialect);
  if (dialect !== undefined) fields.dialect = checkDialect(dialect, '--dialect');
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
    `  dialect:  ${app.dialect}`,
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
    'answer-url': { type: 'string', value: '<url>', help: 'http(s) URL that answers each call with an NCCO or TwiML document' },
    'event-url': { type: 'string', value: '<url>', help: 'http(s) URL that receives call events (TwiML: the status callback)' },
    'answer-method': { type: 'string', value: 'GET|POST', help: `how the answer URL is requested${clearable ? '' : ' (default: GET for ncco, POST for twiml)'}` },
    'event-method': { type: 'string', value: 'POST|GET', help: `how events are sent${clearable ? '' : ' (default: POST)'}` },
    'fallback-answer-url': { type: 'string', value: '<url>', help: `answer URL tried when the answer URL fails${clear}` },
    'signature-secret': {
      type: 'string',
      value: '<s>',
      help: `secret that signs webhooks (ncco: HS256 JWT; twiml: the auth token${clearable ? ')' : ', generated when not given)'}; never shown${clearable ? '; "" removes it (ncco only)' : ''}`,
    },
    'public-key': { type: 'string', value: '<file>', help: `PEM RSA public key that verifies the REST API's RS256 JWTs${clear}` },
  };
}

const OPTIONS_SYNOPSIS = '[--answer-method GET|POST] [--event-method POST|GET] [--fallback-answer-url <url>] [--signature-secret <s>] [--public-key <file>]';

const add: Command = {
  summary: 'add a voice application',
  synopsis: `<name> [--dialect ncco|twiml] --answer-url <url> --event-url <url> ${OPTIONS_SYNOPSIS}`,
  description: [
    'Add a voice application. <name> is 1-64 letters, digits, "-", "_" or "." (what the',
    'dialplan passes: Stasis(voice-api,<name>)). Prints its new application_id; a twiml',
    'app also prints its account_sid and, when --signature-secret is not given, a new',
    'auth_token (shown this once only).',
  ].join('\n'),
  args: ['name'],
  options: {
    dialect: { type: 'string', value: 'ncco|twiml', help: 'what its documents and webhooks speak (default: ncco; cannot change later)' },
    ...appOptions(false),
    'answer-url': { type: 'string', value: '<url>', help: 'http(s) URL that answers each call with an NCCO or TwiML document (required)' },
    'event-url': { type: 'string', value: '<url>', help: 'http(s) URL that receives call events (required)' },
  },
  async run({ values, positionals: [name] }, ctx) {
    const usage = commandUsage(GROUP, 'add', add);
    const fields = appFields(values);
    if (fields.answerUrl === undefined) throw new UsageError('missing option --answer-url', usage);
    if (fields.eventUrl === undefined) throw new UsageError('missing option --event-url', usage);
    const token = fields.dialect === 'twiml' && fields.signatureSecret === undefined ? newAuthToken() : undefined;
    return withVoiceStore(ctx, async (store) => {
      const app = await store.addApp({ ...fields, ...(token && { signatureSecret: token }), name: name!, answerUrl: fields.answerUrl!, eventUrl: fields.eventUrl! });
      ctx.out(`added voice app "${app.name}": application_id ${app.id}`);
      const sid = accountSid(app);
      if (sid !== undefined) ctx.out(`account_sid ${sid}`);
      if (token !== undefined) ctx.out(`auth_token ${token}`);
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
        const shown = apps.map(({ signatureSecret, publicKey, ...app }) => ({
          ...app,
          ...(app.dialect === 'twiml' && { accountSid: accountSid(app) }),
          signed: signatureSecret !== undefined,
          publicKey: publicKey !== undefined,
        }));
        ctx.out(JSON.stringify(shown, null, 2));
      } else if (apps.length === 0) {
        ctx.out('No voice apps yet. Add one with: stasis-flows voice-app add <name> --answer-url <url> --event-url <url>');
      } else {
        const cells = apps.map((a) => [
          a.name,
          a.dialect,
          a.id,
          accountSid(a) ?? '-',
          `${a.answerMethod} ${a.answerUrl}`,
          `${a.eventMethod} ${a.eventUrl}`,
          a.fallbackAnswerUrl ?? '-',
          signed(a),
          keyed(a),
        ]);
        ctx.out(formatTable(['NAME', 'DIALECT', 'APPLICATION_ID', 'ACCOUNT_SID', 'ANSWER', 'EVENT', 'FALLBACK', 'SIGNED', 'PUBLIC KEY'], cells));
      }
      return 0;
    });
  },
};

const set: Command = {
  summary: "change a voice application's webhooks, secret or public key",
  synopsis: `<name> [--answer-url <url>] [--event-url <url>] ${OPTIONS_SYNOPSIS} [--new-auth-token]`,
  description: [
    "Change a voice application's webhooks, signature secret or public key. Options left",
    'out keep their value; --fallback-answer-url "", --signature-secret "" (ncco apps only:',
    'a twiml app always has its auth token) and --public-key "" remove them.',
    '--new-auth-token gives a twiml app a new auth token and prints it (this once only).',
    'The dialect cannot change: remove the app and add it again.',
  ].join('\n'),
  args: ['name'],
  options: {
    ...appOptions(true),
    'new-auth-token': { type: 'boolean', help: 'generate and print a new auth token (twiml apps)' },
    dialect: { type: 'string', value: 'ncco|twiml', help: "refused unless it is the app's: the dialect cannot change" },
  },
  async run({ values, positionals: [name] }, ctx) {
    const usage = commandUsage(GROUP, 'set', set);
    const fields = appFields(values);
    const renew = values['new-auth-token'] === true;
    if (renew && fields.signatureSecret !== undefined) throw new UsageError('give --new-auth-token or --signature-secret, not both', usage);
    if (Object.keys(fields).length === 0 && !renew) {
      throw new UsageError('nothing to change: give --answer-url, --event-url, a method, --fallback-answer-url, --signature-secret, --new-auth-token or --public-key', usage);
    }
    return withVoiceStore(ctx, async (store) => {
      const token = renew ? await renewableToken(store, name!) : undefined;
      const app = await store.updateApp(name!, { ...fields, ...(token && { signatureSecret: token }) });
      ctx.out(`updated voice app "${app.name}": application_id ${app.id}`);
      const sid = accountSid(app);
      if (sid !== undefined) ctx.out(`account_sid ${sid}`);
      if (token !== undefined) ctx.out(`auth_token ${token}`);
      ctx.out(details(app));
      return 0;
    });
  },
};

/** A new auth token for the twiml app `name`; an ncco app's secret is the user's own, never made here. */
async function renewableToken(store: VoiceStore, name: string): Promise<string> {
  const app = await store.getApp(name);
  // By name only, as `updateApp`: an application_id is not a name.
  if (!app || app.name !== name) throw new AppError('NOT_FOUND', `voice app "${name}" does not exist`);
  if (app.dialect !== 'twiml') throw new AppError('INVALID_INPUT', `--new-auth-token is for twiml apps; voice app "${name}" speaks ${app.dialect} (give --signature-secret)`);
  return newAuthToken();
}

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
