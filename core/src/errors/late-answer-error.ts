/**
 * A call rejected at its deadline was answered later, and had taken effect: the store ran it
 * just before it stalled (the one window a not-after time cannot close). Emitted on `error`
 * so that counts can be reconciled; the session it touched is announced from the store.
 */
export class LateAnswerError extends Error {
  override name = 'LateAnswerError';
  constructor() {
    super(
      'a call rejected at its deadline was answered afterwards: it took effect (it ran just before the store stalled)',
    );
  }
}
