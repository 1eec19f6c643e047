export interface Config {
  /** Settings of the mlops plugins. */
  mlops?: {
    /**
     * How the bootstrap actions reach AWS. Credentials always come from the
     * `aws` section (`aws.mainAccount`, `aws.accounts`) read by
     * `@backstage/integration-aws-node`.
     */
    aws?: {
      /**
       * Endpoint URL used for every AWS service client instead of the AWS
       * endpoints, for emulators such as moto (for example `http://127.0.0.1:5000`).
       * Leave unset for real AWS.
       * @visibility backend
       */
      endpoint?: string;
      /**
       * Address S3 buckets by path instead of by virtual host. Emulators
       * usually need this; defaults to true when `endpoint` is set.
       * @visibility backend
       */
      forcePathStyle?: boolean;
    };
  };
}
