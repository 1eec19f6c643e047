/**
 * The mlops frontend plugin for Backstage's new frontend system: the fleet
 * page, the ML service entity card and tab, and the API client.
 *
 * @packageDocumentation
 */

export { default } from './alpha/plugin';
