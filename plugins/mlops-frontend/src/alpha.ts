/**
 * The mlops frontend plugin for Backstage's new frontend system: the fleet
 * page, the ML service entity card and tab, and the API client.
 *
 * @packageDocumentation
 */

import { mlopsFrontendPlugin } from './alpha/plugin';

export * from './alpha/index';

export default mlopsFrontendPlugin;
