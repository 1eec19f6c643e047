/*
 * The deploy workflow's source-range check (.github/scripts/check_inbound_ranges.py of the skeleton),
 * run with the machine's Python against a local stand-in for the address service, which answers with
 * the address a runner would be seen from.
 */
import { exec, ExecResult } from './exec';
import { skeletonScript, textStandIn } from './skeletonScripts';

// Each test starts Python; on a two-core CI machine busy with other suites that has taken seconds.
jest.setTimeout(60_000);

const SCRIPT = skeletonScript('check_inbound_ranges.py');
const RANGES = '203.0.113.0/24,198.51.100.7/32';

function check(url: string, ranges = RANGES): Promise<ExecResult> {
  return exec('python3', [SCRIPT], {
    env: { INBOUND_CIDRS: ranges, PUBLIC_ADDRESS_URL: url },
    timeoutMs: 30_000,
  });
}

describe('check_inbound_ranges.py', () => {
  it.each([
    ['inside a range', '203.0.113.77\n'],
    ['the single address a /32 admits', '198.51.100.7\n'],
  ])(
    'passes a runner whose address is %s, after asking once',
    async (_case, seenAs) => {
      const service = await textStandIn(200, seenAs);
      try {
        const result = await check(service.url);
        expect(result).toEqual({
          code: 0,
          output: `This runner's public address ${seenAs.trim()} is inside the load balancer's source ranges.\n`,
        });
        expect(service.seen).toHaveLength(1);
      } finally {
        await service.close();
      }
    },
  );

  it('stops a runner outside every range, naming its address, the ranges and the fix', async () => {
    const service = await textStandIn(200, '198.51.100.8\n');
    try {
      const result = await check(service.url);
      expect(result.code).toBe(1);
      expect(result.output).toMatch(
        /^::error::This runner's public address 198\.51\.100\.8 is outside the source ranges the load balancer admits \(203\.0\.113\.0\/24, 198\.51\.100\.7\/32\), so the smoke test could not reach the model through it\. Fix: run the deploy jobs on a runner inside those ranges \(set the repository variable DEPLOY_RUNS_ON to its label;.* or add this runner's range to alb\.ingress\.kubernetes\.io\/inbound-cidrs in k8s\/base\/ingress\.yaml\.\n$/,
      );
    } finally {
      await service.close();
    }
  });

  it.each([
    ['answers with an error', 503, 'Service Unavailable'],
    [
      'answers with something other than an address',
      200,
      '<html>proxy login</html>',
    ],
  ])(
    'warns and goes on when the address service %s',
    async (_case, status, body) => {
      const service = await textStandIn(status, body);
      try {
        const result = await check(service.url);
        expect(result.code).toBe(0);
        expect(result.output).toMatch(
          /^::warning::Could not learn this runner's public address from http:\/\/127\.0\.0\.1:[0-9]+ \(.+\), so it is not known whether the load balancer, which admits only 203\.0\.113\.0\/24, 198\.51\.100\.7\/32, admits it; the smoke test will tell\.\n$/,
        );
      } finally {
        await service.close();
      }
    },
  );

  it('warns and goes on when the address service cannot be reached', async () => {
    const service = await textStandIn(200, '203.0.113.1');
    await service.close();
    const result = await check(service.url);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(
      /^::warning::Could not learn this runner's public address/,
    );
  });
});
