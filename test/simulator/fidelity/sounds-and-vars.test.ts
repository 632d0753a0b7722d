/** Facts 30-33: the sounds index and channel variables. */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav, tone } from '../../../src/simulator/media/audio.js';
import { TestAri, haveTranscripts, recordedResponse, warnIfNoTranscripts } from '../helpers.js';
import type { EventLog } from '../helpers.js';

warnIfNoTranscripts();

describe.skipIf(!haveTranscripts)('ARI fidelity: sounds and variables', () => {
  let ari: TestAri;
  let events: EventLog;
  let tgt: string;
  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
    ({ tgt } = await ari.call(events, 'c9'));
  });
  afterAll(async () => {
    await ari.close();
  });

  it('fact 30: GET /sounds lists {id, formats:[{language, format}]} with codec names; no match is 404', async () => {
    const res = await ari.req('GET', '/sounds');
    expect(res.status).toBe(200);
    const sounds = res.body as { id: string; formats: { language: string; format: string }[] }[];
    const recorded = (recordedResponse('sounds-and-vars.jsonl', 'GET', /^\/ari\/sounds$/).body as object[])[0] ?? {};
    expect(Object.keys(sounds[0] ?? {})).toEqual(Object.keys(recorded));
    expect(sounds.find((s) => s.id === 'vm-intro')?.formats).toEqual([
      { language: 'en', format: 'gsm' },
      { language: 'en', format: 'slin' },
    ]);
    const none = { status: 404, body: { message: 'No sounds found that matched the query' } };
    expect(await ari.req('GET', '/sounds?lang=en&format=wav')).toMatchObject(none);
    expect(await ari.req('GET', '/sounds?lang=fr')).toMatchObject(none);
    expect((await ari.req('GET', '/sounds?lang=en&format=slin')).status).toBe(200);
  });

  it('fact 31: GET /sounds/{id}, nested ids with %2F, and the 404s', async () => {
    const intro = await ari.req('GET', '/sounds/vm-intro');
    expect(intro.body).toEqual(recordedResponse('sounds-and-vars.jsonl', 'GET', /^\/ari\/sounds\/vm-intro$/).body);
    expect(await ari.req('GET', '/sounds/digits%2F4')).toMatchObject({ status: 200, body: { id: 'digits/4' } });
    expect(await ari.req('GET', '/sounds/digits/4')).toMatchObject({ status: 404, body: { message: 'Resource not found' } });
    expect(await ari.req('GET', '/sounds/nonexistent')).toMatchObject({ status: 404, body: { message: 'Sound not found' } });
  });

  it('fact 32: the index is read from disk on every request; the sounds module cannot be reloaded', async () => {
    const file = join(ari.soundsDir, 'en', 'zz-test.wav');
    expect((await ari.req('GET', '/sounds/zz-test')).status).toBe(404);
    writeFileSync(file, encodeWav(tone(8000)));
    expect(await ari.req('GET', '/sounds/zz-test')).toMatchObject({ status: 200, body: { id: 'zz-test', formats: [{ language: 'en', format: 'slin' }] } });
    let from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:zz-test&playbackId=pb-zz1`);
    await ari.advance(1100);
    expect(await events.wait('PlaybackFinished', 'target', 'pb-zz1', from)).toMatchObject({ playback: { state: 'done' } });
    expect(await ari.req('GET', '/asterisk/modules/sounds')).toMatchObject({
      status: 200,
      body: { name: 'sounds', description: 'Sounds Index', use_count: 1, status: 'Running', support_level: 'core' },
    });
    for (const m of ['sounds', 'res_ari_sounds.so']) {
      expect(await ari.req('PUT', `/asterisk/modules/${m}`)).toMatchObject({ status: 409, body: { message: 'Module does not support reloading' } });
    }
    expect(await ari.req('PUT', '/asterisk/modules/no_such_module.so')).toMatchObject({ status: 404, body: { message: 'Module not found in running modules' } });
    expect(await ari.req('GET', '/asterisk/modules/no_such_module.so')).toMatchObject({ status: 404, body: { message: 'Module could not be found in running modules' } });
    rmSync(file);
    expect(await ari.req('GET', '/sounds/zz-test')).toMatchObject({ status: 404, body: { message: 'Sound not found' } });
    from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:zz-test&playbackId=pb-zz2`);
    expect(await events.wait('PlaybackFinished', 'target', 'pb-zz2', from)).toMatchObject({ playback: { state: 'failed' } });
  });

  it('fact 33: GET/POST channel variables, CHANNEL(language), and their errors', async () => {
    expect(await ari.req('GET', `/channels/${tgt}/variable?variable=CHANNEL(language)`)).toMatchObject({ status: 200, body: { value: 'en' } });
    expect(await ari.req('GET', `/channels/${tgt}/variable?variable=NOT_SET_VAR`)).toMatchObject({ status: 404, body: { message: 'Provided variable was not found' } });
    expect(await ari.req('GET', '/channels/nosuchchannel/variable?variable=MYVAR')).toMatchObject({ status: 404, body: { message: 'Provided channel was not found' } });
    expect(await ari.req('GET', `/channels/${tgt}/variable`)).toMatchObject({ status: 400, body: { message: 'Variable name is required' } });
    expect((await ari.req('POST', `/channels/${tgt}/variable?variable=MYVAR&value=hello`)).status).toBe(204);
    expect(await ari.req('GET', `/channels/${tgt}/variable?variable=MYVAR`)).toMatchObject({ body: { value: 'hello' } });
    expect((await ari.req('POST', `/channels/${tgt}/variable`, { variable: 'MYVAR2', value: 'body-form' })).status).toBe(204);
    expect(await ari.req('GET', `/channels/${tgt}/variable?variable=MYVAR2`)).toMatchObject({ body: { value: 'body-form' } });
    expect((await ari.req('POST', `/channels/${tgt}/variable?variable=MYVAR`)).status).toBe(204);
    expect((await ari.req('GET', `/channels/${tgt}/variable?variable=MYVAR`)).status).toBe(404);
    await ari.req('POST', `/channels/${tgt}/variable?variable=CHANNEL(language)&value=fr`);
    expect(await ari.req('GET', `/channels/${tgt}/variable?variable=CHANNEL(language)`)).toMatchObject({ body: { value: 'fr' } });
    expect(await ari.req('GET', `/channels/${tgt}`)).toMatchObject({ body: { language: 'fr' } });
  });
});
