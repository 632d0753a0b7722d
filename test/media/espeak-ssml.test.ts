/** The SSML subset handed to espeak-ng. */
import { describe, expect, it } from 'vitest';
import { ssmlWords, toEspeakSsml } from '../../src/media/espeak-ssml.js';

describe('toEspeakSsml', () => {
  it('keeps the elements espeak-ng understands, with their known attributes', () => {
    expect(toEspeakSsml('<speak>Hi <break time="500ms" foo="x"/> <prosody rate="slow" onclick="y">slow</prosody> <emphasis level="strong">now</emphasis> <say-as interpret-as="characters">abc</say-as><p><s>one</s></p></speak>')).toBe(
      '<speak>Hi <break time="500ms"/> <prosody rate="slow">slow</prosody> <emphasis level="strong">now</emphasis> <say-as interpret-as="characters">abc</say-as><p><s>one</s></p></speak>',
    );
  });

  it('drops other tags but keeps their text; <audio> and <voice> go', () => {
    expect(toEspeakSsml('<speak xml:lang="fr-FR">a <audio src="/etc/passwd">b</audio> <voice name="x">c</voice> <amazon:effect name="w">d</amazon:effect> <lang xml:lang="de">e</lang></speak>')).toBe('<speak>a b c d e</speak>');
  });

  it('wraps text without <speak>, and balances tags', () => {
    expect(toEspeakSsml('Hello <emphasis>world')).toBe('<speak>Hello <emphasis>world</emphasis></speak>');
    expect(toEspeakSsml('<p><s>one</p> two</s>')).toBe('<speak><p><s>one</s></p> two</speak>');
  });

  it('escapes a stray < and &, keeps entities, removes declarations and comments', () => {
    expect(toEspeakSsml('<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY x "boom">]><speak>a < b & c &amp; d <!-- note --></speak>')).toBe('<speak>a &lt; b &amp; c &amp; d</speak>');
  });

  it('refuses attribute values that are not what they should be', () => {
    expect(toEspeakSsml('<break time="forever"/>x')).toBe('<speak><break/>x</speak>');
    expect(toEspeakSsml('<sub alias="World Wide Web">WWW</sub>')).toBe('<speak><sub alias="World Wide Web">WWW</sub></speak>');
  });
});

describe('ssmlWords', () => {
  it('is the text without markup', () => {
    expect(ssmlWords('<speak> <break time="1s"/> </speak>')).toBe('');
    expect(ssmlWords('<speak>Hi <emphasis>you</emphasis></speak>')).toBe('Hi you');
  });
});
