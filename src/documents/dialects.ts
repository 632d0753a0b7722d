/** The dialect of an application: how its documents read and its requests are made. */
import type { Dialect, DialectName } from './dialect.js';
import { nccoDialect } from './ncco/dialect.js';
import { twimlDialect } from './twiml/dialect.js';

const DIALECTS: Readonly<Record<DialectName, Dialect>> = { ncco: nccoDialect, twiml: twimlDialect };

/** The dialect an application speaks (NCCO unless it says otherwise). */
export function dialectOf(app: { readonly dialect?: DialectName }): Dialect {
  return DIALECTS[app.dialect ?? 'ncco'];
}
