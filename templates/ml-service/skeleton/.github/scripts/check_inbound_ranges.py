"""Checks, before anything changes, that this runner is inside the load balancer's source ranges.

Run by .github/workflows/deploy.yml when the Ingress admits only some source ranges
(alb.ingress.kubernetes.io/inbound-cidrs, the template's inboundCidrs): the smoke test calls the
model through the load balancer from this runner, so a runner outside the ranges would wait out the
smoke test's 10 minutes on a connection the load balancer drops, after the rollout. This stops the
job first, naming the runner's address and the fix.

The runner's public address is what https://checkip.amazonaws.com sees (PUBLIC_ADDRESS_URL
overrides it): the source address the load balancer sees too, through the same NAT or proxy. When
it cannot be learned, a warning says so and the job goes on.

Reads INBOUND_CIDRS (comma-separated). Standard library only; runs on Python 3.8 and later, as a
self-hosted runner (DEPLOY_RUNS_ON) may have.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import urllib.request

DEFAULT_ADDRESS_URL = "https://checkip.amazonaws.com"


def public_address(url: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    with urllib.request.urlopen(url, timeout=10) as response:
        return ipaddress.ip_address(response.read(64).decode("ascii").strip())


def main() -> int:
    ranges = [
        ipaddress.ip_network(cidr.strip())
        for cidr in os.environ["INBOUND_CIDRS"].split(",")
        if cidr.strip()
    ]
    listed = ", ".join(str(network) for network in ranges)
    url = os.environ.get("PUBLIC_ADDRESS_URL") or DEFAULT_ADDRESS_URL
    try:
        address = public_address(url)
    except (OSError, ValueError) as error:
        print(
            f"::warning::Could not learn this runner's public address from {url} ({error}),"
            f" so it is not known whether the load balancer, which admits only {listed},"
            " admits it; the smoke test will tell."
        )
        return 0
    if any(address in network for network in ranges):
        print(
            f"This runner's public address {address} is inside the load balancer's source ranges."
        )
        return 0
    print(
        f"::error::This runner's public address {address} is outside the source ranges the"
        f" load balancer admits ({listed}), so the smoke test could not reach the model"
        " through it. Fix: run the deploy jobs on a runner inside those ranges (set the"
        ' repository variable DEPLOY_RUNS_ON to its label; see docs/runbook.md, "Deploying'
        " from a self-hosted runner\"), or add this runner's range to"
        " alb.ingress.kubernetes.io/inbound-cidrs in k8s/base/ingress.yaml."
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
