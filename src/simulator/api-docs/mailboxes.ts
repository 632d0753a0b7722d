/** `/ari/api-docs/mailboxes.json`: mailbox message counts (for MWI). */
import type { ResourceSpec } from './define.js';
import { err, modelMap, op, pathParam, queryParam } from './define.js';
import { Mailbox } from './models.js';

const mailboxName = pathParam('mailboxName', 'Mailbox name');

export const mailboxes: ResourceSpec = {
  name: 'mailboxes',
  description: 'Mailboxes resources',
  swaggerVersion: '1.1',
  apis: [
    {
      path: '/mailboxes',
      description: 'All mailboxes',
      operations: [op('GET', 'list', 'List[Mailbox]', 'List all mailboxes.')],
    },
    {
      path: '/mailboxes/{mailboxName}',
      description: 'One mailbox',
      operations: [
        op('GET', 'get', 'Mailbox', 'Get the message counts of a mailbox.', [mailboxName], [err(404, 'No such mailbox')]),
        op('PUT', 'update', 'void', 'Set the message counts of a mailbox, creating it if needed.', [
          mailboxName,
          queryParam('oldMessages', 'int', { required: true, description: 'Number of old messages' }),
          queryParam('newMessages', 'int', { required: true, description: 'Number of new messages' }),
        ], [err(404, 'No such mailbox')]),
        op('DELETE', 'delete', 'void', 'Remove a mailbox.', [mailboxName], [err(404, 'No such mailbox')]),
      ],
    },
  ],
  models: modelMap(Mailbox),
};
