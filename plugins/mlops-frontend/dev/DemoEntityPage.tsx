import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  Content,
  Header,
  Page,
  TabbedLayout,
  WarningPanel,
} from '@backstage/core-components';
import { attachComponentData } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import { useParams } from 'react-router-dom';
import { EntityMlServiceCard, EntityMlServiceContent } from '../src';
import { demoEntity } from './demoEntity';

/**
 * Stands in for the catalog's entity page: an overview tab with the card and
 * an ML service tab with the content, for the demo entity.
 */
export function DemoEntityPage() {
  const { kind, namespace, name } = useParams();
  const requested = `${kind}:${namespace}/${name}`.toLocaleLowerCase('en-US');
  const demoRef = stringifyEntityRef(demoEntity);
  if (kind && requested !== demoRef) {
    return (
      <Page themeId="service">
        <Header title={requested} />
        <Content>
          <WarningPanel
            title="Only the demo entity is available in the dev app"
            message={`This dev app carries no catalog; it shows ${demoRef} only.`}
          />
        </Content>
      </Page>
    );
  }
  return (
    <EntityProvider entity={demoEntity}>
      <Page themeId="service">
        <Header
          title={demoEntity.metadata.title ?? demoEntity.metadata.name}
          subtitle={demoRef}
          type="ML service"
        />
        <TabbedLayout>
          <TabbedLayout.Route path="/" title="Overview">
            <Grid container spacing={3}>
              <Grid item xs={12} md={6}>
                <EntityMlServiceCard variant="gridItem" />
              </Grid>
            </Grid>
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/ml-service" title="ML service">
            <EntityMlServiceContent />
          </TabbedLayout.Route>
        </TabbedLayout>
      </Page>
    </EntityProvider>
  );
}

// Mounting the page on the catalog's entity route lets entity links (such as
// those of the fleet page) resolve to it, as they would in a full app.
attachComponentData(DemoEntityPage, 'core.mountPoint', entityRouteRef);
