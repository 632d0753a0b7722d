/**
 * Configuration: parsed once from the environment, validated, frozen.
 * This is the only module that reads `process.env` (see STYLE.md).
 */
import path from 'node:path';
import { AppError } from './errors.js';

/** Log levels winston understands and we use. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything but the ARI connection: what local tools (the CLI's mailbox commands) need. */
export interface LocalConfig {
  /** Stasis application names, keyed by flow. */
  readonly apps: {
    readonly vmRecord: string;
    readonly vmPlayback: string;
    readonly queue: string;
    readonly voiceApi: string;
  };
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  /** Asterisk's sounds directory (`<astdatadir>/sounds`, holding one folder per language). */
  readonly soundsDir: string;
  /** Languages the flows must have every prompt in (checked at start-up and by `sounds check`). */
  readonly languages: readonly string[];
  readonly playback: {
    /** First check that a playback still exists, in case Asterisk never sends PlaybackFinished. */
    readonly firstCheckMs: number;
    /** Later checks while it still exists (long or paused media). */
    readonly checkEveryMs: number;
  };
  /** How long a call's actor may run after StasisEnd to finish post-call work. */
  readonly postCallTimeoutMs: number;
  /** On shutdown, how long live calls may go on before each is ended through its flow. */
  readonly drainMs: number;
  readonly voicemail: {
    /** Longest message, in seconds (the recording's maxDurationSeconds). */
    readonly maxDurationSeconds: number;
    /** Silence that ends a message, in seconds (0: never). */
    readonly maxSilenceSeconds: number;
    /** Shorter messages are discarded, as app_voicemail does. */
    readonly minDurationSeconds: number;
    /** Default message limit of a new mailbox. */
    readonly maxMessages: number;
    /** After the review playback ends, how long to wait for a key before accepting, in ms. */
    readonly reviewTimeoutMs: number;
    /** Message waiting indication goes to Asterisk mailbox `<mailbox>@<mwiContext>`. */
    readonly mwiContext: string;
    /** Skip of keys 1 and 3 while listening, in ms. */
    readonly skipMs: number;
    /** Typed digits (mailbox, PIN, forward target) end after this pause, in ms. */
    readonly digitTimeoutMs: number;
    /** After a message ends, hang up when no key comes within this many ms. */
    readonly idleTimeoutMs: number;
    /** Wrong logins before goodbye. */
    readonly maxLoginAttempts: number;
    /** Say when and from whom each message came. */
    readonly envelope: boolean;
  };
  /** The voice API (NCCO documents): its HTTP API and its text to speech. */
  readonly voiceApi: {
    /** Where the HTTP API listens. */
    readonly httpHost: string;
    readonly httpPort: number;
    /** The base of the URLs the service hands out (recording URLs), without a trailing slash; unset: the HTTP API's own address. */
    readonly publicUrl: string | undefined;
    /** The text-to-speech engine (`espeak-ng`, the one there is now). */
    readonly tts: 'espeak-ng';
    /** Dial strings of outbound calls: `{number}` (a phone endpoint), `{uri}` (a SIP one, without `sip:`). */
    readonly phoneEndpoint: string;
    readonly sipEndpoint: string;
  };
  readonly queue: {
    /** Music on hold between a waiting caller's position announcements, in ms. */
    readonly announcePeriodMs: number;
    /** Also announce the estimated hold time (from recent waits). */
    readonly announceHoldTime: boolean;
    /** A caller waiting this long (ms) leaves the queue: to voicemail, or `queue-thankyou` and hang-up; 0: no limit. */
    readonly maxWaitMs: number;
    /** Mailbox a caller who waited the maximum goes to (the vm-record flow); undefined: none. */
    readonly voicemailMailbox: string | undefined;
    /** Rest of an agent after a call before being offered the next caller, in ms. */
    readonly wrapUpMs: number;
    /** Music on hold class for waiting callers and agents. */
    readonly mohClass: string;
  };
}

/** The service's configuration. */
export interface Config extends LocalConfig {
  readonly ari: {
    readonly url: string;
    readonly username: string;
    /** Never logged: `describeConfig` leaves it out. */
    readonly password: string;
    readonly connectTimeoutMs: number;
    readonly connectRetries: number;
    readonly requestTimeoutMs: number;
    /** `lean` (default): the hot operations on a keep-alive pool; `ari-client`: every request through ari-client. */
    readonly requestPath: 'lean' | 'ari-client';
  };
}

type Env = Record<string, string | undefined>;

/** Thrown for a missing or malformed variable; the message is the one line start-up prints. */
export class ConfigError extends AppError {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super('CONFIG_INVALID', `config: ${variable} ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** Reads variables from one environment, naming the variable in every error. */
class EnvReader {
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  required(name: string): string {
    const value = this.raw(name);
    if (value === undefined) throw new ConfigError(name, 'is required but not set');
    return value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  url(name: string, fallback?: string): string {
    const value = fallback === undefined ? this.required(name) : this.string(name, fallback);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(name, `must be an http(s) URL such as http://127.0.0.1:8088, got "${value}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ConfigError(name, `must be an http(s) URL such as http://127.0.0.1:8088, got "${value}"`);
    }
    if (parsed.username || parsed.password) {
      throw new ConfigError(name, 'must not carry credentials; use ARI_USERNAME and ARI_PASSWORD');
    }
    // ari-client appends /ari itself; accept a URL that already ends with it.
    return `${parsed.protocol}//${parsed.host}`;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) throw new ConfigError(name, `must be a whole number, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    throw new ConfigError(name, `must be true or false, got "${value}"`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
    }
    return value as T;
  }

  list(name: string, fallback: readonly string[], item: RegExp, what: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    const items = value.split(',').map((part) => part.trim()).filter(Boolean);
    const bad = items.find((part) => !item.test(part));
    if (items.length === 0 || bad !== undefined) throw new ConfigError(name, `must be a comma-separated list of ${what}, got "${value}"`);
    return items;
  }

  appName(name: string, fallback: string): string {
    const value = this.string(name, fallback);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/.test(value)) {
      throw new ConfigError(name, `must be a Stasis application name (letters, digits, - _ .), got "${value}"`);
    }
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Parses and validates everything but the ARI connection (default: `process.env`). */
export function loadLocalConfig(env: Env = process.env): LocalConfig {
  return deepFreeze(readLocal(new EnvReader(env)));
}

/** Parses and validates the service's configuration from an environment (default: `process.env`). */
export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  return deepFreeze<Config>({
    ...readLocal(read),
    ari: {
      url: read.url('ARI_URL'),
      username: read.required('ARI_USERNAME'),
      password: read.required('ARI_PASSWORD'),
      connectTimeoutMs: read.integer('ARI_CONNECT_TIMEOUT_MS', 10_000, 100, 600_000),
      connectRetries: read.integer('ARI_CONNECT_RETRIES', 5, 0, 1000),
      requestTimeoutMs: read.integer('ARI_REQUEST_TIMEOUT_MS', 10_000, 100, 600_000),
      requestPath: read.oneOf('ARI_REQUEST_PATH', ['lean', 'ari-client'] as const, 'lean'),
    },
  });
}

function readLocal(read: EnvReader): LocalConfig {
  const apps = {
    vmRecord: read.appName('STASIS_FLOWS_APP_VM_RECORD', 'vm-record'),
    vmPlayback: read.appName('STASIS_FLOWS_APP_VM_PLAYBACK', 'vm-playback'),
    queue: read.appName('STASIS_FLOWS_APP_QUEUE', 'queue'),
    voiceApi: read.appName('STASIS_FLOWS_APP_VOICE_API', 'voice-api'),
  };
  const names = Object.values(apps);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new ConfigError('STASIS_FLOWS_APP_*', `names must differ; "${duplicate}" is used twice`);
  return {
    apps,
    dataDir: path.resolve(read.string('STASIS_FLOWS_DATA_DIR', './data')),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    soundsDir: path.resolve(read.string('ASTERISK_SOUNDS_DIR', '/var/lib/asterisk/sounds')),
    languages: read.list('STASIS_FLOWS_LANGUAGES', ['en'], /^[A-Za-z]{2,3}([_-][A-Za-z0-9]+)*$/, 'language codes such as en or fr_FR'),
    playback: {
      firstCheckMs: read.integer('STASIS_FLOWS_PLAYBACK_FIRST_CHECK_MS', 1500, 50, 600_000),
      checkEveryMs: read.integer('STASIS_FLOWS_PLAYBACK_CHECK_EVERY_MS', 10_000, 50, 600_000),
    },
    postCallTimeoutMs: read.integer('STASIS_FLOWS_POST_CALL_TIMEOUT_MS', 30_000, 0, 600_000),
    drainMs: read.integer('STASIS_FLOWS_DRAIN_MS', 30_000, 0, 3_600_000),
    voicemail: {
      maxDurationSeconds: read.integer('STASIS_FLOWS_VM_MAX_DURATION_SECONDS', 300, 1, 86_400),
      maxSilenceSeconds: read.integer('STASIS_FLOWS_VM_MAX_SILENCE_SECONDS', 10, 0, 3600),
      minDurationSeconds: read.integer('STASIS_FLOWS_VM_MIN_DURATION_SECONDS', 1, 0, 3600),
      maxMessages: read.integer('STASIS_FLOWS_VM_MAX_MESSAGES', 100, 1, 100_000),
      reviewTimeoutMs: read.integer('STASIS_FLOWS_VM_REVIEW_TIMEOUT_MS', 10_000, 100, 600_000),
      mwiContext: read.appName('STASIS_FLOWS_VM_MWI_CONTEXT', 'stasis-flows'),
      skipMs: read.integer('STASIS_FLOWS_VM_SKIP_MS', 5000, 100, 600_000),
      digitTimeoutMs: read.integer('STASIS_FLOWS_VM_DIGIT_TIMEOUT_MS', 5000, 100, 600_000),
      idleTimeoutMs: read.integer('STASIS_FLOWS_VM_IDLE_TIMEOUT_MS', 30_000, 100, 3_600_000),
      maxLoginAttempts: read.integer('STASIS_FLOWS_VM_LOGIN_ATTEMPTS', 3, 1, 100),
      envelope: read.boolean('STASIS_FLOWS_VM_ENVELOPE', true),
    },
    queue: readQueue(read),
    voiceApi: readVoiceApi(read),
  };
}

/** The voice API's settings (STASIS_FLOWS_HTTP_*, STASIS_FLOWS_PUBLIC_URL, STASIS_FLOWS_TTS). */
function readVoiceApi(read: EnvReader): LocalConfig['voiceApi'] {
  const httpHost = read.string('STASIS_FLOWS_HTTP_HOST', '127.0.0.1');
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(httpHost)) throw new ConfigError('STASIS_FLOWS_HTTP_HOST', `must be a host name or address, got "${httpHost}"`);
  const httpPort = read.integer('STASIS_FLOWS_HTTP_PORT', 8080, 0, 65_535);
  const phoneEndpoint = read.string('STASIS_FLOWS_VOICE_PHONE_ENDPOINT', 'PJSIP/{number}@trunk');
  if (!phoneEndpoint.includes('{number}')) throw new ConfigError('STASIS_FLOWS_VOICE_PHONE_ENDPOINT', `must contain {number}, got "${phoneEndpoint}"`);
  const sipEndpoint = read.string('STASIS_FLOWS_VOICE_SIP_ENDPOINT', 'PJSIP/{uri}');
  if (!sipEndpoint.includes('{uri}')) throw new ConfigError('STASIS_FLOWS_VOICE_SIP_ENDPOINT', `must contain {uri}, got "${sipEndpoint}"`);
  const tts = read.oneOf('STASIS_FLOWS_TTS', ['espeak-ng'] as const, 'espeak-ng');
  const raw = read.string('STASIS_FLOWS_PUBLIC_URL', '');
  if (raw === '') return { httpHost, httpPort, publicUrl: undefined, tts, phoneEndpoint, sipEndpoint };
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('STASIS_FLOWS_PUBLIC_URL', `must be an http(s) URL such as https://voice.example.com, got "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError('STASIS_FLOWS_PUBLIC_URL', `must be an http(s) URL, got "${raw}"`);
  return {
    httpHost,
    httpPort,
    publicUrl: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`,
    tts,
    phoneEndpoint,
    sipEndpoint,
  };
}

/** The call queue's settings (STASIS_FLOWS_QUEUE_*). */
function readQueue(read: EnvReader): LocalConfig['queue'] {
  const mailbox = read.string('STASIS_FLOWS_QUEUE_VOICEMAIL', '');
  if (mailbox !== '' && !/^[A-Za-z0-9_-]{1,40}$/.test(mailbox)) {
    throw new ConfigError('STASIS_FLOWS_QUEUE_VOICEMAIL', `must be a mailbox id (1-40 letters, digits, - or _) or empty, got "${mailbox}"`);
  }
  const mohClass = read.string('STASIS_FLOWS_QUEUE_MOH_CLASS', 'default');
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(mohClass)) {
    throw new ConfigError('STASIS_FLOWS_QUEUE_MOH_CLASS', `must be a music on hold class (letters, digits, - or _), got "${mohClass}"`);
  }
  return {
    announcePeriodMs: read.integer('STASIS_FLOWS_QUEUE_ANNOUNCE_PERIOD_MS', 30_000, 500, 3_600_000),
    announceHoldTime: read.boolean('STASIS_FLOWS_QUEUE_HOLD_TIME', false),
    maxWaitMs: read.integer('STASIS_FLOWS_QUEUE_MAX_WAIT_MS', 0, 0, 86_400_000),
    voicemailMailbox: mailbox === '' ? undefined : mailbox,
    wrapUpMs: read.integer('STASIS_FLOWS_QUEUE_WRAP_UP_MS', 0, 0, 3_600_000),
    mohClass,
  };
}

/** The configuration as it may be logged: everything but secrets. */
export function describeConfig(config: Config): Record<string, unknown> {
  const { password: _password, ...ari } = config.ari;
  return { ...config, ari };
}
