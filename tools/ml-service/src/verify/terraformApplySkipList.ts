/**
 * The one list of Terraform resource (and data source) types that verify's
 * apply against moto leaves out, each with the reason moto cannot take it.
 * Every reason was checked against moto's source (moto 5.2.1) and the error
 * the provider got from it; re-check an entry when moto is upgraded (run the
 * apply without it: `MLOPS_VERIFY_APPLY_ALL=1`, see templates/ml-service/README.md).
 *
 * A type listed here is never applied, nor is anything that depends on it in
 * the configuration (`terraform graph`): the report counts both as skipped,
 * and any other failure fails the check.
 */
export const MOTO_SKIPPED_TYPES: Readonly<Record<string, string>> = {
  aws_eks_access_entry:
    'moto does not implement EKS access entries: CreateAccessEntry answers 404 (moto/eks/urls.py routes only clusters, node groups, Fargate profiles and tags)',
  aws_eks_access_policy_association:
    'moto does not implement EKS access policies: AssociateAccessPolicy answers 404 (moto/eks/urls.py)',
  aws_eks_addon:
    'moto does not implement EKS add-ons: CreateAddon answers 404 (moto/eks/urls.py)',
  'data.aws_eks_addon_version':
    'moto does not implement EKS add-ons: DescribeAddonVersions answers 404 (moto/eks/urls.py)',
  aws_eks_pod_identity_association:
    'moto does not implement EKS Pod Identity: CreatePodIdentityAssociation answers 404 (moto/eks/urls.py)',
  aws_s3_bucket_lifecycle_configuration:
    "moto drops NoncurrentVersionExpiration.NewerNoncurrentVersions (it keeps only NoncurrentDays: moto/s3/models.py, responses.py), so the provider's wait for the stored rules to equal the configured ones times out after 3 minutes",
};

/**
 * The skip-list key of a graph node or resource address: `data.<type>` for a
 * data source, `<type>` for a managed resource (module path and instance keys
 * do not matter).
 */
export function skipKeyOf(address: string): string {
  const parts = withoutInstanceKeys(address).split('.');
  const last = parts.length - 2;
  const type = parts[last];
  const isData = parts[last - 1] === 'data' && parts[last - 2] !== 'module';
  return isData ? `data.${type}` : type;
}

/** `module.eks[0].aws_eks_addon.this["vpc-cni"]` → `module.eks.aws_eks_addon.this`. */
export function withoutInstanceKeys(address: string): string {
  return address.replace(/\[(?:"(?:[^"\\]|\\.)*"|\d+)\]/g, '');
}
