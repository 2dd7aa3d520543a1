export { type HelpAnswer, type HelpCenterHandler, helpCenter } from './handler.js';
export { HELP_CHANNEL, type HelpSource, refOf } from './map.js';
export type { HelpCenterOptions, HelpErrorContext, HelpEventContext } from './options.js';
export type { HelpEvent, OpenVia } from './protocol.js';
