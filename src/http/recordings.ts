/**
 * Where recordings are downloaded from. Kept apart from the routes (and
 * fastify) so the call side can build a record event's `recording_url`
 * without loading the server.
 */

/** The URL a recording is downloaded from: `${publicUrl}/v1/files/${id}` (the 2020 shape; routes/files.ts serves all three). */
export function recordingUrl(publicUrl: string, id: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/files/${encodeURIComponent(id)}`;
}
