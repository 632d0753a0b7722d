/**
 * Small builders for the API description, so each resource file reads as a list of
 * operations instead of a wall of JSON. They fill in the fields exactly as Asterisk
 * spells them (paramType, required, allowMultiple, dataType, defaultValue,
 * allowableValues), because ari-client builds its calls from these fields.
 */
import type { ApiDeclaration, ApiModel, ApiModelProperty, ApiOperation, ApiParameter, ApiPath } from './types.js';

/** One resource, independent of the host it is served from. */
export interface ResourceSpec {
  /** `channels`: the file name (`/ari/api-docs/channels.json`) and ari-client's `client.channels`. */
  name: string;
  /** The line in resources.json. */
  description: string;
  swaggerVersion: ApiDeclaration['swaggerVersion'];
  apis: ApiPath[];
  models: Record<string, ApiModel>;
}

/** A path parameter: always a required, single string in Asterisk's description. */
export function pathParam(name: string, description?: string): ApiParameter {
  return { name, ...(description === undefined ? {} : { description }), paramType: 'path', required: true, allowMultiple: false, dataType: 'string' };
}

export interface QueryOptions {
  required?: boolean;
  /** `allowMultiple: true` (for example `media`, `channel`, `eventSource`). */
  multiple?: boolean;
  defaultValue?: string | number | boolean;
  /** A LIST of allowed values. */
  values?: string[];
  /** A RANGE with this minimum. */
  min?: number;
  description?: string;
}

/** A query parameter. `required` and `allowMultiple` default to false. */
export function queryParam(name: string, dataType: string, options: QueryOptions = {}): ApiParameter {
  const param: ApiParameter = {
    name,
    paramType: 'query',
    required: options.required ?? false,
    allowMultiple: options.multiple ?? false,
    dataType,
  };
  if (options.description !== undefined) param.description = options.description;
  if (options.defaultValue !== undefined) param.defaultValue = options.defaultValue;
  if (options.values !== undefined) param.allowableValues = { valueType: 'LIST', values: options.values };
  else if (options.min !== undefined) param.allowableValues = { valueType: 'RANGE', min: options.min };
  return param;
}

/**
 * A JSON body parameter. Asterisk types these `containers` (for example `variables`).
 * ari-client sends `{"variables": {...}}` as the request body for a `variables` body
 * parameter (see test/simulator/api-docs.test.ts).
 */
export function bodyParam(name: string, options: { required?: boolean; description?: string } = {}): ApiParameter {
  return {
    name,
    ...(options.description === undefined ? {} : { description: options.description }),
    paramType: 'body',
    required: options.required ?? false,
    allowMultiple: false,
    dataType: 'containers',
  };
}

/** An error response: the status code and what it means. */
export function err(code: number, reason: string): { code: number; reason: string } {
  return { code, reason };
}

/** An operation; `parameters` and `errorResponses` are left out when empty, as Asterisk does. */
export function op(
  httpMethod: ApiOperation['httpMethod'],
  nickname: string,
  responseClass: string,
  summary: string,
  parameters: ApiParameter[] = [],
  errorResponses: { code: number; reason: string }[] = [],
): ApiOperation {
  const operation: ApiOperation = { httpMethod, summary, nickname, responseClass };
  if (parameters.length > 0) operation.parameters = parameters;
  if (errorResponses.length > 0) operation.errorResponses = errorResponses;
  return operation;
}

/**
 * A model property. `required` is left out when not given, because Asterisk leaves it
 * out for a few properties (for example `Channel.caller_rdnis`, `Playback.language`).
 */
export function prop(type: string, required?: boolean, description?: string): ApiModelProperty {
  const property: ApiModelProperty = { type };
  if (required !== undefined) property.required = required;
  if (description !== undefined) property.description = description;
  return property;
}

/** A string property restricted to a LIST of values. */
export function enumProp(values: string[], required?: boolean, description?: string): ApiModelProperty {
  return { ...prop('string', required, description), allowableValues: { valueType: 'LIST', values } };
}

/** A model whose id is its key. */
export function model(id: string, description: string, properties: Record<string, ApiModelProperty>, extra: Pick<ApiModel, 'subTypes' | 'discriminator'> = {}): ApiModel {
  return { id, description, ...extra, properties };
}

/** Index models by id. */
export function modelMap(...models: ApiModel[]): Record<string, ApiModel> {
  const map: Record<string, ApiModel> = {};
  for (const m of models) {
    if (map[m.id] !== undefined) throw new Error(`duplicate model ${m.id}`);
    map[m.id] = m;
  }
  return map;
}
