// `npm run test:asterisk` runs the scenario suite against a real Asterisk: it needs ARI_URL.
if (!process.env.ARI_URL) {
  console.error(
    [
      'test:asterisk needs a real Asterisk 22 with asterisk-config/ installed:',
      '  ARI_URL=http://127.0.0.1:8088 ARI_USERNAME=asterisk ARI_PASSWORD=... npm run test:asterisk',
      'Optional: ASTERISK_SOUNDS_DIR (a sounds directory the tests may write).',
      'Without ARI_URL, `npm test` runs the same scenarios against the in-repo ARI simulator.',
    ].join('\n'),
  );
  process.exit(2);
}
