/** `/ari/api-docs/applications.json`: Stasis applications and their subscriptions. */
import type { ResourceSpec } from './define.js';
import { err, modelMap, op, pathParam, queryParam } from './define.js';
import { Application } from './models.js';

const applicationName = pathParam('applicationName', 'Application name');
const eventSource = queryParam('eventSource', 'string', {
  required: true,
  multiple: true,
  description: 'channel:<id>, bridge:<id>, endpoint:<tech>[/<resource>] or deviceState:<name>',
});

export const applications: ResourceSpec = {
  name: 'applications',
  description: 'Stasis application resources',
  swaggerVersion: '1.1',
  apis: [
    {
      path: '/applications',
      description: 'All applications',
      operations: [op('GET', 'list', 'List[Application]', 'List the registered applications.')],
    },
    {
      path: '/applications/{applicationName}',
      description: 'One application',
      operations: [op('GET', 'get', 'Application', 'Get one application.', [applicationName], [err(404, 'No such application')])],
    },
    {
      path: '/applications/{applicationName}/subscription',
      description: 'Event subscriptions of an application',
      operations: [
        op('POST', 'subscribe', 'Application', 'Subscribe an application to the events of a source.', [applicationName, eventSource], [
          err(400, 'Missing parameter'),
          err(404, 'No such application'),
          err(422, 'No such event source'),
        ]),
        op('DELETE', 'unsubscribe', 'Application', 'Unsubscribe an application from the events of a source.', [applicationName, eventSource], [
          err(400, 'Missing parameter, or unknown event source scheme'),
          err(404, 'No such application'),
          err(409, 'Not subscribed to this event source'),
          err(422, 'No such event source'),
        ]),
      ],
    },
  ],
  models: modelMap(Application),
};
