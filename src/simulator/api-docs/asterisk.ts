/** `/ari/api-docs/asterisk.json`: information about Asterisk itself and its modules. */
import type { ResourceSpec } from './define.js';
import { err, modelMap, op, pathParam, queryParam } from './define.js';
import { AsteriskInfo, AsteriskPing, BuildInfo, ConfigInfo, Module, SetId, StatusInfo, SystemInfo, Variable } from './models.js';

export const asterisk: ResourceSpec = {
  name: 'asterisk',
  description: 'Asterisk resources',
  swaggerVersion: '1.1',
  apis: [
    {
      path: '/asterisk/info',
      description: 'Asterisk system information',
      operations: [
        op('GET', 'getInfo', 'AsteriskInfo', 'Get information about this Asterisk.', [
          queryParam('only', 'string', { multiple: true, values: ['build', 'system', 'config', 'status'], description: 'Parts to return; all when absent' }),
        ]),
      ],
    },
    {
      path: '/asterisk/ping',
      description: 'Liveness check',
      operations: [op('GET', 'ping', 'AsteriskPing', 'Answer with pong.')],
    },
    {
      path: '/asterisk/modules',
      description: 'Loaded modules',
      operations: [op('GET', 'listModules', 'List[Module]', 'List the loaded modules.')],
    },
    {
      path: '/asterisk/modules/{moduleName}',
      description: 'One module',
      operations: [
        op('GET', 'getModule', 'Module', 'Get one loaded module.', [pathParam('moduleName', 'Module name, e.g. res_ari')], [
          err(404, 'Module is not loaded'),
          err(409, 'Module details unavailable'),
        ]),
        op('PUT', 'reloadModule', 'void', 'Reload a module.', [pathParam('moduleName', 'Module name, e.g. res_ari')], [
          err(404, 'Module is not loaded'),
          err(409, 'Module reload failed'),
        ]),
      ],
    },
  ],
  // Variable is declared here as in Asterisk; channels.getChannelVar returns it.
  models: modelMap(BuildInfo, SystemInfo, SetId, ConfigInfo, StatusInfo, AsteriskInfo, AsteriskPing, Module, Variable),
};
