import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../src/config.js';

const base = { ARI_URL: 'http://127.0.0.1:8088', ARI_USERNAME: 'asterisk', ARI_PASSWORD: 's3cret-pw' };

describe('config', () => {
  it('reads the environment once, with defaults, and freezes it', () => {
    const config = loadConfig(base);
    expect(config.ari.url).toBe('http://127.0.0.1:8088');
    expect(config.apps).toEqual({ vmRecord: 'vm-record', vmPlayback: 'vm-playback', queue: 'queue', voiceApi: 'voice-api' });
    expect(config.logLevel).toBe('info');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ari)).toBe(true);
  });

  it.each([
    [{ ARI_URL: undefined }, /^config: ARI_URL is required but not set$/],
    [{ ARI_PASSWORD: '' }, /^config: ARI_PASSWORD is required/],
    [{ ARI_URL: 'localhost:8088' }, /^config: ARI_URL must be an http\(s\) URL/],
    [{ ARI_URL: 'http://user:pw@host:8088' }, /^config: ARI_URL must not carry credentials/],
    [{ LOG_LEVEL: 'loud' }, /^config: LOG_LEVEL must be one of error, warn, info, debug, got "loud"$/],
    [{ ARI_CONNECT_TIMEOUT_MS: 'soon' }, /^config: ARI_CONNECT_TIMEOUT_MS must be a whole number/],
    [{ ARI_CONNECT_TIMEOUT_MS: '5' }, /^config: ARI_CONNECT_TIMEOUT_MS must be between/],
    [{ STASIS_FLOWS_APP_VM_RECORD: 'bad name!' }, /^config: STASIS_FLOWS_APP_VM_RECORD must be a Stasis application name/],
    [{ STASIS_FLOWS_APP_QUEUE: 'vm-record' }, /names must differ/],
    [{ STASIS_FLOWS_QUEUE_VOICEMAIL: '../305' }, /^config: STASIS_FLOWS_QUEUE_VOICEMAIL must be a mailbox id/],
    [{ STASIS_FLOWS_QUEUE_MOH_CLASS: 'jazz & blues' }, /^config: STASIS_FLOWS_QUEUE_MOH_CLASS must be a music on hold class/],
    [{ STASIS_FLOWS_QUEUE_ANNOUNCE_PERIOD_MS: '100' }, /^config: STASIS_FLOWS_QUEUE_ANNOUNCE_PERIOD_MS must be between/],
  ])('stops with one line naming the variable: %o', (change, message) => {
    const env: Record<string, string | undefined> = { ...base, ...change };
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });

  it('reads the queue settings, with defaults', () => {
    expect(loadConfig(base).queue).toEqual({ announcePeriodMs: 30_000, announceHoldTime: false, maxWaitMs: 0, voicemailMailbox: undefined, wrapUpMs: 0, mohClass: 'default' });
    const queue = loadConfig({
      ...base,
      STASIS_FLOWS_QUEUE_ANNOUNCE_PERIOD_MS: '3000',
      STASIS_FLOWS_QUEUE_HOLD_TIME: 'yes',
      STASIS_FLOWS_QUEUE_MAX_WAIT_MS: '120000',
      STASIS_FLOWS_QUEUE_VOICEMAIL: '305',
      STASIS_FLOWS_QUEUE_WRAP_UP_MS: '5000',
      STASIS_FLOWS_QUEUE_MOH_CLASS: 'jazz',
    }).queue;
    expect(queue).toEqual({ announcePeriodMs: 3000, announceHoldTime: true, maxWaitMs: 120_000, voicemailMailbox: '305', wrapUpMs: 5000, mohClass: 'jazz' });
  });

  it('accepts an ARI URL that already ends in /ari', () => {
    expect(loadConfig({ ...base, ARI_URL: 'https://pbx.example:8089/ari' }).ari.url).toBe('https://pbx.example:8089');
  });

  it('never describes the password', () => {
    const described = JSON.stringify(describeConfig(loadConfig(base)));
    expect(described).not.toContain('s3cret-pw');
    expect(described).toContain('asterisk');
  });

  it('reads the voice API settings: the HTTP API address, the public URL, the TTS engine', () => {
    const defaults = loadConfig(base).voiceApi;
    expect(defaults).toEqual({ httpHost: '127.0.0.1', httpPort: 8080, publicUrl: undefined, tts: 'espeak-ng', phoneEndpoint: 'PJSIP/{number}@trunk', sipEndpoint: 'PJSIP/{uri}' });
    expect(() => loadConfig({ ...base, STASIS_FLOWS_VOICE_PHONE_ENDPOINT: 'PJSIP/trunk' })).toThrow(/must contain \{number\}/);
    const set = loadConfig({ ...base, STASIS_FLOWS_HTTP_HOST: '0.0.0.0', STASIS_FLOWS_HTTP_PORT: '9000', STASIS_FLOWS_PUBLIC_URL: 'https://voice.example.com/api/' }).voiceApi;
    expect(set).toMatchObject({ httpHost: '0.0.0.0', httpPort: 9000, publicUrl: 'https://voice.example.com/api' });
    expect(loadConfig({ ...base, STASIS_FLOWS_APP_VOICE_API: 'ivr' }).apps.voiceApi).toBe('ivr');
    expect(() => loadConfig({ ...base, STASIS_FLOWS_PUBLIC_URL: 'ftp://x' })).toThrow(/STASIS_FLOWS_PUBLIC_URL/);
    expect(() => loadConfig({ ...base, STASIS_FLOWS_HTTP_PORT: '70000' })).toThrow(/STASIS_FLOWS_HTTP_PORT/);
    expect(() => loadConfig({ ...base, STASIS_FLOWS_TTS: 'polly' })).toThrow(/STASIS_FLOWS_TTS must be one of espeak-ng/);
  });
});
