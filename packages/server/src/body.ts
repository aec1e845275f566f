import { HttpError } from './httpError.js'

/** Default request body limit: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/**
 * Reads a JSON body, counting bytes as they arrive so an oversized body is refused with 413 without
 * being buffered, whatever its Content-Length says.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const contentType = request.headers.get('content-type')
  if (contentType !== null && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)) {
    throw new HttpError(415, `Unsupported Content-Type "${contentType}": send application/json.`)
  }
  const tooLarge = () => new HttpError(413, `The request body is larger than the limit of ${maxBytes} bytes.`)
  const declared = Number(request.headers.get('content-length'))
  if (declared > maxBytes) throw tooLarge()
  if (!request.body) throw new HttpError(400, 'The request has no body: send a JSON object.')

  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new HttpError(400, 'The request body is not valid UTF-8.')
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unreadable'
    throw new HttpError(400, `The request body is not valid JSON (${reason}).`)
  }
}
