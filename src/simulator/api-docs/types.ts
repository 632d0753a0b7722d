/**
 * The Swagger 1.1 shapes that Asterisk serves under /ari/api-docs and that
 * ari-client (through swagger-client 2.0.x) reads when it connects.
 * The simulator's API description is written in these types, and the
 * simulator's HTTP router is derived from it, so the two cannot drift.
 */

/** One parameter of an operation. */
export interface ApiParameter {
  name: string;
  description?: string;
  paramType: 'path' | 'query' | 'body' | 'header';
  required: boolean;
  allowMultiple: boolean;
  dataType: string;
  defaultValue?: string | number | boolean;
  allowableValues?: { valueType: 'LIST'; values: string[] } | { valueType: 'RANGE'; min?: number; max?: number };
}

/** One HTTP operation on a path. `nickname` is what ari-client exposes (`client.channels.play`). */
export interface ApiOperation {
  httpMethod: 'GET' | 'POST' | 'PUT' | 'DELETE';
  summary: string;
  notes?: string;
  nickname: string;
  responseClass: string;
  parameters?: ApiParameter[];
  errorResponses?: { code: number; reason: string }[];
  upgrade?: 'websocket';
  websocketProtocol?: string;
}

/** A path with its operations. Paths are relative to basePath, e.g. `/channels/{channelId}/play`. */
export interface ApiPath {
  path: string;
  description?: string;
  operations: ApiOperation[];
}

/** A model property. `type` is a primitive, a model id, or `List[Model]`. */
export interface ApiModelProperty {
  type: string;
  description?: string;
  required?: boolean;
  allowableValues?: { valueType: 'LIST'; values: string[] };
}

/** A model (resource object or event). */
export interface ApiModel {
  id: string;
  description?: string;
  properties: Record<string, ApiModelProperty>;
  subTypes?: string[];
  extends?: string;
  discriminator?: string;
}

/** One resource's declaration, served at /ari/api-docs/{resource}.json. */
export interface ApiDeclaration {
  apiVersion: string;
  /** Asterisk says `1.1` everywhere except in `events.json`, which says `1.2`. */
  swaggerVersion: '1.1' | '1.2';
  basePath: string;
  resourcePath: string;
  apis: ApiPath[];
  models: Record<string, ApiModel>;
}

/** The resource listing, served at /ari/api-docs/resources.json. */
export interface ResourceListing {
  apiVersion: string;
  swaggerVersion: '1.1';
  basePath: string;
  apis: { path: string; description: string }[];
}
