/** `/ari/api-docs/endpoints.json`: endpoints (only the listing is described). */
import type { ResourceSpec } from './define.js';
import { modelMap, op } from './define.js';
import { Endpoint, TextMessage } from './models.js';

export const endpoints: ResourceSpec = {
  name: 'endpoints',
  description: 'Endpoint resources',
  swaggerVersion: '1.1',
  apis: [
    {
      path: '/endpoints',
      description: 'All endpoints',
      operations: [op('GET', 'list', 'List[Endpoint]', 'List all endpoints.')],
    },
  ],
  // TextMessage is declared here as in Asterisk; the TextMessageReceived event carries it.
  models: modelMap(Endpoint, TextMessage),
};
