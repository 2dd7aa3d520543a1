/** A webhook request whose signature is missing or does not match. */
export class SignatureError extends Error {
  override name = 'SignatureError';
}
