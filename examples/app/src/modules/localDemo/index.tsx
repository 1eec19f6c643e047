import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { AppRootWrapperBlueprint } from '@backstage/plugin-app-react';
import { LocalDemoBanner } from './LocalDemoBanner';

/** Puts the local demo banner above every page when `localDemo.banner` is set. */
export const localDemoModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    AppRootWrapperBlueprint.make({
      name: 'local-demo-banner',
      params: {
        component: ({ children }) => (
          <>
            <LocalDemoBanner />
            {children}
          </>
        ),
      },
    }),
  ],
});
