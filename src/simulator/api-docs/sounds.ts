/** `/ari/api-docs/sounds.json`: the installed sound files. */
import type { ResourceSpec } from './define.js';
import { modelMap, op, pathParam, queryParam } from './define.js';
import { FormatLangPair, Sound } from './models.js';

export const sounds: ResourceSpec = {
  name: 'sounds',
  description: 'Sound resources',
  swaggerVersion: '1.1',
  apis: [
    {
      path: '/sounds',
      description: 'All sounds',
      operations: [
        // Asterisk leaves allowMultiple out of these two; the type needs it, and false is what it means.
        op('GET', 'list', 'List[Sound]', 'List the installed sounds.', [
          queryParam('lang', 'string', { description: 'Only sounds in this language' }),
          queryParam('format', 'string', { description: 'Only sounds in this format' }),
        ]),
      ],
    },
    {
      path: '/sounds/{soundId}',
      description: 'One sound',
      // No error responses are declared in Asterisk's description, although an unknown sound gives 404.
      operations: [op('GET', 'get', 'Sound', 'Get one sound and its languages and formats.', [pathParam('soundId', 'Sound name, e.g. vm-intro')])],
    },
  ],
  models: modelMap(FormatLangPair, Sound),
};
