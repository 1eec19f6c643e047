export interface Config {
  /** Settings of the local demo; leave unset everywhere else. */
  localDemo?: {
    /**
     * Publish new repositories to bare git repositories on this machine
     * instead of GitHub. When set, the example backend registers a local
     * `publish:github` action and a URL reader for what it published, local
     * `github:environment:create` and `github:actions:dispatch` actions that
     * record what GitHub would have done in `<host>/<owner>/<repo>.github.json`
     * (nothing runs), and does not install the GitHub scaffolder module.
     */
    publish?: {
      /**
       * Directory that holds the bare repositories, as
       * `<host>/<owner>/<repo>.git`.
       * @visibility backend
       */
      directory: string;
    };
  };
}
