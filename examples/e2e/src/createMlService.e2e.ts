/*
 * yarn test:e2e: starts the example app (production bundle) with the local demo, then in headless
 * Chromium creates a new ML service through the "Create new ML service" template, checks that its
 * CI roles are in moto and that the local GitHub stand-in recorded its environments, variables
 * and one dispatch of the deploy workflow, opens it, sees its first environment "Rolling out" while
 * the demo's local runner (standing in for the deploy workflow, it trains and serves that
 * environment and adds it to a simulated cluster, reached through the Kubernetes service proxy)
 * holds the rollout before any pod is ready, and then sees it turn healthy within two minutes,
 * checks a demo service's health and deployment, that another demo service is healthy through the
 * Kubernetes service proxy alone, and the fleet page. Saves screenshots and fails on any browser
 * console error.
 */
import {
  exitWhenDone,
  LocalDemo,
  startLocalDemo,
  stopEverythingOnShutdown,
} from '@internal/local-demo';
import { freePort, signalExitCode } from '@internal/local-processes';
import { waitForCatalogEntity } from './catalogEntity';
import fs from 'node:fs';
import path from 'node:path';
import { Locator, Page } from 'playwright-core';
import { ConsoleErrors, launchChromium, signInAsGuest } from './browser';
import {
  CiRoleArns,
  expectCiRolesInMoto,
  expectRecordedGitHubSettings,
  NewService,
  taskLog,
} from './firstPush';
import { expectHealthyThroughKubernetesProxy } from './kubernetesProxy';
import { RolloutHold } from './rolloutHold';
import { Screenshots } from './screenshots';
import { Steps } from './steps';

const DEMO_SERVICE = 'churn-model';
/** The demo service reached only through the Kubernetes simulation's service proxy. */
const PROXIED_SERVICE = 'fraud-score';
const TIMEOUT_MS = 60_000;
/** From the end of the scaffolder run to the new service's first environment healthy on its page. */
const DEPLOYED_WITHIN_MS = 120_000;
/** The page refreshes health every minute; a fresh view shows it sooner. */
const RELOAD_EVERY_MS = 15_000;
/** How soon after dev is healthy prod's reason names dev's deploy: the prober's interval is 15 s in the demo. */
const PROD_REASON_WITHIN_MS = 60_000;
/** How soon a held first rollout shows on the page: a probe (every 15 s) after the objects are applied. */
const ROLLING_OUT_WITHIN_MS = 60_000;

async function fillTemplateForm(page: Page, name: string) {
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page
    .getByRole('textbox', { name: 'Description' })
    .fill('Created by the browser test of the local demo.');
  await page.getByRole('textbox', { name: 'Owner' }).click();
  await page.getByRole('option', { name: 'ml-team' }).click();
  await page.getByRole('textbox', { name: 'System' }).click();
  await page.getByRole('option', { name: 'customer-insights' }).click();
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('spinbutton', { name: 'Quality threshold' }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();

  await page
    .getByRole('textbox', { name: 'AWS account ID' })
    .fill('123456789012');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('textbox', { name: 'CPU request' }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();

  // RepoUrlPicker's fields are autocompletes that commit typed text on blur.
  await page.getByRole('textbox', { name: 'Owner' }).pressSequentially('acme');
  await page.keyboard.press('Tab');
  const repository = page.getByRole('textbox', {
    name: 'Repository',
    exact: true,
  });
  await repository.pressSequentially(name);
  await page.keyboard.press('Tab');
  await page.getByRole('button', { name: 'Next' }).click();

  // CI credentials: the default, roles the bootstrap creates.
  await page.getByText('CI roles', { exact: true }).first().waitFor();
  await page.getByRole('button', { name: 'Review' }).click();
}

async function main() {
  const steps = new Steps();
  const consoleErrors = new ConsoleErrors();
  const screenshots = new Screenshots('create-ml-service');
  const serviceName = `e2e-${Date.now().toString(36)}`;
  // What the form is filled in with, and its defaults.
  const service: NewService = {
    name: serviceName,
    owner: 'group:default/ml-team',
    environments: ['dev', 'prod'],
    defaultBranch: 'main',
  };
  let taskId = '';
  let createdAt = 0;
  const devRollout = new RolloutHold(serviceName);
  let demo: LocalDemo | undefined;
  const browser = await launchChromium();
  stopEverythingOnShutdown({
    stop: async () => {
      await browser.close().catch(() => undefined);
      await demo?.stop();
    },
    exitCode: signalExitCode,
    log: line => process.stdout.write(`\n${line}\n`),
  });
  const context = browser.context;
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = context.pages()[0] ?? (await context.newPage());
  consoleErrors.watch(page);

  try {
    await steps.run('start the example app with the local demo', async () => {
      demo = await startLocalDemo({
        frontend: 'bundle',
        backendPort: await freePort(),
        log: line => process.stdout.write(`       ${line}\n`),
        beforeRolloutCompletes: devRollout.beforeRolloutCompletes,
      });
    });
    const appUrl = demo!.appUrl;

    await steps.run(
      'sign in as guest; the banner names the local emulators',
      async () => {
        await signInAsGuest(page, appUrl);
        await page
          .getByRole('banner', { name: 'local demo' })
          .getByText(/local emulators/)
          .waitFor();
      },
    );

    await steps.run('fill and run "Create new ML service"', async () => {
      await page.getByRole('link', { name: 'Create' }).first().click();
      await page
        .locator('article, .MuiCard-root')
        .filter({ hasText: 'Create new ML service' })
        .getByRole('button', { name: 'Choose' })
        .click();
      await fillTemplateForm(page, serviceName);
      await screenshots.take(page, 'review');
      await page.getByRole('button', { name: 'Create' }).click();
    });

    await steps.run(
      'the run completes: AWS bootstrap on moto, local publish, register',
      async () => {
        const openInCatalog = page.getByRole('link', {
          name: 'Open in catalog',
        });
        const failed = page.getByText(/failed/i).first();
        await Promise.race([
          openInCatalog.waitFor({ timeout: 180_000 }),
          failed.waitFor({ timeout: 180_000 }).then(async () => {
            await screenshots.take(page, 'task-failed');
            throw new Error(
              `the scaffolder task failed; see ${screenshots.dir}`,
            );
          }),
        ]);
        createdAt = Date.now();
        await screenshots.take(page, 'task-completed');
        taskId = new URL(page.url()).pathname.split('/').pop() ?? '';
        const published = path.join(
          demo!.localGitDir,
          'github.com/acme',
          `${serviceName}.git`,
        );
        if (!fs.existsSync(published)) {
          throw new Error(`no local repository at ${published}`);
        }
      },
    );

    let roles: CiRoleArns | undefined;
    await steps.run(
      "its CI roles are in moto: a Terraform role per environment trusted only by that environment (the repository's immutable OIDC subject), a plan role, under the boundary",
      async () => {
        if (!demo!.motoEndpoint) {
          throw new Error(
            'the e2e checks the CI roles in moto; unset MLOPS_USE_REAL_AWS',
          );
        }
        roles = await expectCiRolesInMoto(
          demo!.motoEndpoint,
          demo!.backendUrl,
          service,
        );
      },
    );

    await steps.run(
      'the local GitHub stand-in recorded its environments, variables and one deploy dispatch; the log says nothing ran',
      async () => {
        await expectRecordedGitHubSettings(demo!.localGitDir, service, roles!);
        const log = await taskLog(appUrl, taskId);
        for (const line of [
          '[local demo] would create environment prod',
          '[local demo] would dispatch workflow deploy.yml',
          'nothing ran',
        ]) {
          if (!log.includes(line)) {
            throw new Error(`the task log of ${taskId} has no "${line}"`);
          }
        }
      },
    );

    await steps.run(
      'open the new entity: its card lists dev and prod',
      async () => {
        await waitForCatalogEntity(appUrl, {
          kind: 'component',
          namespace: 'default',
          name: serviceName,
        });
        await page.getByRole('link', { name: 'Open in catalog' }).click();
        await page
          .getByRole('heading', { name: serviceName })
          .first()
          .waitFor();
        await mlServiceCard(page).waitFor();
        // The form's default environments. Whether dev still says "Not deployed yet" depends on
        // how far the local runner got, so only their presence is checked here.
        for (const environment of ['dev', 'prod']) {
          await mlServiceCard(page)
            .getByLabel(new RegExp(`^${environment}: `))
            .first()
            .waitFor();
        }
        await screenshots.take(page, 'new-service-entity', { fullPage: true });
      },
    );

    await steps.run(
      `while the local runner holds dev's first rollout (objects applied, no pod ready), dev says "Rolling out" on the card with the rollout's progress, on the tab and on the fleet page, within ${
        ROLLING_OUT_WITHIN_MS / 1000
      } s`,
      async () => {
        const held = await settlesWithin(
          devRollout.reached,
          createdAt + DEPLOYED_WITHIN_MS - Date.now(),
        );
        if (!held) {
          throw new Error(
            `the local runner did not begin the rollout of ${serviceName} ${
              DEPLOYED_WITHIN_MS / 1000
            } s after its creation. Failures: ${JSON.stringify(
              demo!.localRunner?.failures,
            )}`,
          );
        }
        const rollingOut = mlServiceCard(page)
          .getByLabel('dev: Rolling out')
          .first();
        await reloadUntilShown(
          page,
          rollingOut,
          Date.now() + ROLLING_OUT_WITHIN_MS,
          () =>
            `dev of ${serviceName} did not say "Rolling out" ${
              ROLLING_OUT_WITHIN_MS / 1000
            } s into its held first rollout.`,
        );
        await mlServiceCard(page)
          .getByText(/^0 of \d+ updated replicas available$/)
          .first()
          .waitFor();
        // Unavailable while it rolls out is its course, not a problem.
        const problems = await mlServiceCard(page)
          .getByText('Deployment condition')
          .count();
        if (problems > 0) {
          throw new Error(
            `the card lists the rollout's Available=False condition as a problem:\n${await mlServiceCard(
              page,
            ).innerText()}`,
          );
        }
        await screenshots.take(mlServiceCard(page), 'new-service-rolling-out');
        // The tab says which Deployment rolls out, and what the probe met: a
        // Service with no ready pod behind it. A probe made while the
        // Kubernetes plugin did not know the new cluster yet says so instead,
        // until the next one (every 15 s).
        await entityTab(page, 'ML service').click();
        await reloadUntilShown(
          page,
          page
            .getByText(
              new RegExp(
                `^Deployment ${serviceName} in cluster ${serviceName}-dev is rolling out \\(0 of \\d+ updated replicas available\\) and the endpoint has not answered in the last 24 hours\\. The last probe: .*no endpoints available`,
              ),
            )
            .first(),
          Date.now() + ROLLING_OUT_WITHIN_MS,
          () =>
            `the ML service tab of ${serviceName} did not say why dev is rolling out.`,
        );
        await screenshots.take(page, 'new-service-rolling-out-tab', {
          fullPage: true,
        });
        // The fleet page says so too, in dev's row.
        await page.getByRole('link', { name: 'ML services' }).first().click();
        await page
          .getByRole('row')
          .filter({ has: page.getByRole('link', { name: serviceName }) })
          .filter({ hasText: 'Rolling out' })
          .first()
          .waitFor();
        devRollout.release();
        await page.goto(`${appUrl}/catalog/default/component/${serviceName}`);
      },
    );

    const devTarget = `${serviceName}-dev/ml-services/${serviceName}:http`;
    await steps.run(
      `the local runner deploys it: dev turns Healthy on its page at k8s: ${devTarget} within ${
        DEPLOYED_WITHIN_MS / 1000
      } s of its creation, the hold not counted`,
      async () => {
        await reloadUntilShown(
          page,
          mlServiceCard(page).getByLabel('dev: Healthy'),
          createdAt + DEPLOYED_WITHIN_MS + devRollout.heldMs,
          () =>
            `dev of ${serviceName} was not Healthy on its page ${
              DEPLOYED_WITHIN_MS / 1000
            } s after its creation. Local runner: deployments ${JSON.stringify(
              demo!.localRunner?.deployments,
            )}, failures ${JSON.stringify(demo!.localRunner?.failures)}.`,
        );
        const seconds = (Date.now() - createdAt - devRollout.heldMs) / 1000;
        await mlServiceCard(page)
          .getByText(`k8s: ${devTarget}`)
          .first()
          .waitFor();
        const deployment = demo!.localRunner?.deployments.find(d =>
          d.repository.endsWith(`/${serviceName}`),
        );
        process.stdout.write(
          `       healthy on its page ${seconds.toFixed(
            1,
          )} s after the scaffolder run ended, not counting the ${(
            devRollout.heldMs / 1000
          ).toFixed(1)} s its rollout was held${
            deployment
              ? `; the local runner deployed it in ${(
                  (deployment.readyAt.getTime() -
                    deployment.noticedAt.getTime() -
                    devRollout.heldMs) /
                  1000
                ).toFixed(1)} s, ready ${(
                  (deployment.readyAt.getTime() -
                    createdAt -
                    devRollout.heldMs) /
                  1000
                ).toFixed(1)} s after the run ended (both without the hold)`
              : ''
          }\n`,
        );
        await screenshots.take(page, 'new-service-healthy', { fullPage: true });
      },
    );

    await steps.run(
      `prod, whose deploy has not run, says "Not deployed yet" on the card, and on the tab that dev's deploy tagged its image and prod's has not, within ${
        PROD_REASON_WITHIN_MS / 1000
      } s`,
      async () => {
        // The local runner deploys dev only and, as the deploy workflow does, tags the
        // image dev runs dev-run-*; the prober finds no prod-run-* tag in the ECR
        // repository the create run made. A probe before dev's tag gives the reason
        // without "while dev has its"; prod is probed again every interval.
        const reason = page.getByText(
          /^The prober found it not deployed yet: no image in ECR repository \S+ is tagged prod-run-\* while dev has its, so prod's deploy has not run/,
        );
        const deadline = Date.now() + PROD_REASON_WITHIN_MS;
        for (;;) {
          await mlServiceCard(page)
            .getByLabel('prod: Not deployed yet')
            .first()
            .waitFor();
          await entityTab(page, 'ML service').click();
          const left = deadline - Date.now();
          const shown = await reason
            .first()
            .waitFor({ timeout: Math.max(1, Math.min(RELOAD_EVERY_MS, left)) })
            .then(
              () => true,
              () => false,
            );
          if (shown) break;
          if (left <= RELOAD_EVERY_MS) {
            const tab = await page.locator('body').innerText();
            throw new Error(
              `prod's reason did not name dev's deploy tag within ${
                PROD_REASON_WITHIN_MS / 1000
              } s. The page says:\n${tab}`,
            );
          }
          await page.goto(`${appUrl}/catalog/default/component/${serviceName}`);
        }
        await screenshots.take(page, 'new-service-prod-not-deployed', {
          fullPage: true,
        });
      },
    );

    await steps.run(
      `demo service ${DEMO_SERVICE}: card shows live health`,
      async () => {
        await page.goto(`${appUrl}/catalog/default/component/${DEMO_SERVICE}`);
        await mlServiceCard(page).getByText('Healthy').first().waitFor();
        await screenshots.take(mlServiceCard(page), 'ml-service-card');
      },
    );

    await steps.run(
      `demo service ${DEMO_SERVICE}: tab shows health and the deployment`,
      async () => {
        await entityTab(page, 'ML service').click();
        await page.getByText(`Deployment ${DEMO_SERVICE}`).waitFor();
        await page.getByText('Rollout complete').first().waitFor();
        await page.getByText('cluster local-simulation').first().waitFor();
        await page.getByText('Healthy').first().waitFor();
        await screenshots.take(page, 'ml-service-tab', { fullPage: true });
      },
    );

    await steps.run(
      `demo service ${DEMO_SERVICE}: Kubernetes tab through the kubernetes-backend`,
      async () => {
        await entityTab(page, 'Kubernetes').click();
        await page.getByText('local-simulation').first().waitFor();
        await page.getByText(DEMO_SERVICE).first().waitFor();
        await screenshots.take(page, 'kubernetes-tab', { fullPage: true });
      },
    );

    const proxied = demo!.kubernetesProxied[0];
    await steps.run(
      `demo service ${PROXIED_SERVICE}: healthy through the Kubernetes service proxy (entity route and fleet API)`,
      async () => {
        if (proxied?.service !== PROXIED_SERVICE) {
          throw new Error(
            `the demo reaches ${PROXIED_SERVICE} through the simulation's service proxy; it proxies ${JSON.stringify(
              demo!.kubernetesProxied,
            )} (is a real cluster configured in app-config.local.yaml?)`,
          );
        }
        await expectHealthyThroughKubernetesProxy(
          appUrl,
          proxied.service,
          proxied.target,
        );
      },
    );

    await steps.run(
      `demo service ${PROXIED_SERVICE}: card shows Healthy at k8s: ${proxied?.target}`,
      async () => {
        await page.goto(
          `${appUrl}/catalog/default/component/${PROXIED_SERVICE}`,
        );
        await mlServiceCard(page).getByText('Healthy').first().waitFor();
        await mlServiceCard(page)
          .getByText(`k8s: ${proxied.target}`)
          .first()
          .waitFor();
        await screenshots.take(mlServiceCard(page), 'ml-service-card-k8s');
      },
    );

    await steps.run(
      `the fleet page lists the demo services and the new one; ${PROXIED_SERVICE} is healthy`,
      async () => {
        await page.getByRole('link', { name: 'ML services' }).first().click();
        for (const name of [
          DEMO_SERVICE,
          'demand-forecast',
          PROXIED_SERVICE,
          serviceName,
        ]) {
          await page.getByRole('link', { name }).first().waitFor();
        }
        await page
          .getByRole('row')
          .filter({ has: page.getByRole('link', { name: PROXIED_SERVICE }) })
          .getByText('Healthy')
          .first()
          .waitFor();
        await screenshots.take(page, 'fleet-page', { fullPage: true });
      },
    );

    await steps.run('no errors in the browser console', async () => {
      if (consoleErrors.errors.length > 0) {
        throw new Error(
          `browser console errors:\n${consoleErrors.errors.join('\n')}`,
        );
      }
    });
  } catch (error) {
    await screenshots.take(page, 'failure').catch(() => undefined);
    process.stdout.write(`\n${error instanceof Error ? error.stack : error}\n`);
    if (consoleErrors.errors.length > 0) {
      process.stdout.write(
        `\nbrowser console errors:\n${consoleErrors.errors.join('\n')}\n`,
      );
    }
    if (demo) {
      process.stdout.write(
        `\nbackend output (last lines):\n${demo
          .backendOutput()
          .slice(-4000)}\n`,
      );
    }
    process.exitCode = 1;
  } finally {
    await browser.close().catch(() => undefined);
    await demo?.stop();
  }
  process.stdout.write(
    `\nscreenshots:\n${screenshots.paths.map(p => `  ${p}`).join('\n')}\n`,
  );
  process.stdout.write(`e2e: ${steps.summary()}\n`);
}

function entityTab(page: Page, name: string) {
  return page
    .getByRole('tab', { name, exact: true })
    .or(page.getByRole('link', { name, exact: true }))
    .first();
}

/** Whether `promise` resolves within `ms`. */
async function settlesWithin(
  promise: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>(resolve => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reloads the page every {@link RELOAD_EVERY_MS} until `target` shows; past
 * `deadline`, fails with what `failure` says and the page's text.
 */
async function reloadUntilShown(
  page: Page,
  target: Locator,
  deadline: number,
  failure: () => string,
): Promise<void> {
  while (!(await target.isVisible())) {
    const left = deadline - Date.now();
    if (left <= 0) {
      const text = await page
        .locator('body')
        .innerText()
        .catch(() => '');
      throw new Error(`${failure()} The page says:\n${text}`);
    }
    const shown = await target
      .waitFor({ timeout: Math.min(RELOAD_EVERY_MS, left) })
      .then(
        () => true,
        () => false,
      );
    if (!shown) await page.reload();
  }
}

function mlServiceCard(page: Page) {
  return page
    .locator('.MuiCard-root, article')
    .filter({ has: page.getByText('ML service', { exact: true }) })
    .filter({ hasText: /Model .* protocol/ })
    .first();
}

exitWhenDone(main());
