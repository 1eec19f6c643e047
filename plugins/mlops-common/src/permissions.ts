import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Allows sending an inference request to an ML service's endpoint through the
 * mlops backend's predict proxy. A catalog-entity resource permission, so
 * policies can decide per entity (for example with the catalog's `isEntityOwner`
 * rule). It carries no action attribute on purpose: a policy that allows every
 * `read` must not silently allow calling models.
 *
 * @public
 */
export const mlopsEntityPredictPermission = createPermission({
  name: 'mlops.entity.predict',
  attributes: {},
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Every permission the mlops plugins define.
 *
 * @public
 */
export const mlopsPermissions = [mlopsEntityPredictPermission];
