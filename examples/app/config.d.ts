export interface Config {
  /** Settings of the local demo; leave unset everywhere else. */
  localDemo?: {
    /**
     * Text of the banner that says the app runs against local emulators.
     * @visibility frontend
     */
    banner?: string;
  };
}
