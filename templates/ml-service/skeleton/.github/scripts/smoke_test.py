"""Smoke test through the load balancer: readiness, then one inference.

Run by .github/workflows/deploy.yml after a rollout, either on the GitHub runner (internet-facing
load balancer) or in a one-off pod in the service's namespace (internal load balancer, reachable
only from inside the VPC). Standard library only, so it runs in the model image as it is.

Only failures that mean "the load balancer or its DNS name is not there yet" are retried until
the deadline: name resolution, connection refused/reset/timed out, and 502/503/504 from the load
balancer (no healthy target registered yet). Anything else (a TLS error, 4xx, 500, a wrong
answer) fails at once. Every failure is printed as a GitHub `::error::` line. Over HTTPS, a
certificate that expires within --expiry-warning-days (30) is a `::warning::` line: ACM renews the
certificates it issues from up to 60 days before they expire and never renews imported ones.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import socket
import ssl
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

# Not datetime.UTC (3.11): on a public endpoint this runs with the deploy runner's own Python,
# which a self-hosted runner (DEPLOY_RUNS_ON) may have older.
UTC = datetime.timezone.utc  # noqa: UP017

RETRIED_STATUSES = (502, 503, 504)


class SmokeError(Exception):
    """A failure that retrying will not fix."""


class NotYetReachable(Exception):
    """The load balancer or its DNS record is still being provisioned."""


@dataclass
class Target:
    scheme: str
    host: str
    port: int
    # Where to open the TCP connection; `host` still goes into SNI and the Host header, so the
    # certificate and the Ingress host rule are what is tested, not the DNS record.
    connect_host: str
    # False only when the certificate names a host the service was not given (HTTPS on an
    # internal load balancer without a host): the chain is still verified.
    check_hostname: bool = True
    # PEM certificates trusted besides the system's roots: the chain ACM gives for the load
    # balancer's certificate, whose root no runner or image knows when a private CA issued it.
    ca_pem: str | None = None


def parse_target(
    url: str, connect_to: str | None, check_hostname: bool = True, ca_pem: str | None = None
) -> Target:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise SmokeError(f"--url must be http(s)://<host>, got {url!r}")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return Target(
        parsed.scheme,
        parsed.hostname,
        port,
        connect_to or parsed.hostname,
        check_hostname,
        ca_pem or None,
    )


def _connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    if target.scheme == "http":
        return http.client.HTTPConnection(target.connect_host, target.port, timeout=timeout)
    context = ssl.create_default_context()
    context.check_hostname = target.check_hostname
    if target.ca_pem:
        try:
            context.load_verify_locations(cadata=target.ca_pem)
        except ssl.SSLError as error:
            raise SmokeError(f"--ca-pem holds no PEM certificate ({error})") from error
    connection = http.client.HTTPSConnection(
        target.connect_host, target.port, timeout=timeout, context=context
    )
    if target.connect_host != target.host:

        def connect() -> None:
            raw = socket.create_connection((target.connect_host, target.port), timeout)
            connection.sock = context.wrap_socket(raw, server_hostname=target.host)

        connection.connect = connect  # type: ignore[method-assign]
    return connection


@contextlib.contextmanager
def _connected(target: Target, timeout: float, what: str) -> Iterator[http.client.HTTPConnection]:
    """A connection to the load balancer, closed afterwards. Failures become NotYetReachable when
    it is not there yet, SmokeError otherwise; `what` names the exchange in the message."""
    connection = _connection(target, timeout)
    try:
        yield connection
    except socket.gaierror as error:
        raise NotYetReachable(f"{target.connect_host} does not resolve yet ({error})") from error
    except ssl.SSLError as error:
        raise SmokeError(f"TLS with {target.host} failed: {error}") from error
    except http.client.HTTPException as error:
        raise SmokeError(f"{what}: not an HTTP answer ({error!r})") from error
    except OSError as error:
        # Refused, reset, timed out, unreachable: the load balancer is not answering yet.
        raise NotYetReachable(f"no connection to {target.connect_host}: {error}") from error
    finally:
        connection.close()


def request(
    target: Target, method: str, path: str, body: object | None = None, timeout: float = 10
) -> object:
    """One HTTP request; the JSON answer, or NotYetReachable/SmokeError."""
    headers = {"Host": target.host, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    with _connected(target, timeout, f"{method} {path}") as connection:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
    if response.status in RETRIED_STATUSES:
        raise NotYetReachable(f"{method} {path} answered {response.status} (no healthy target yet)")
    if response.status != 200:
        text = payload[:500].decode(errors="replace")
        raise SmokeError(f"{method} {path} answered {response.status}: {text}")
    try:
        return json.loads(payload) if payload else None
    except ValueError as error:
        raise SmokeError(f"{method} {path} answered 200 with no JSON: {payload[:200]!r}") from error


def served_certificate_expiry(target: Target, timeout: float = 10) -> datetime.datetime | None:
    """When the certificate the load balancer serves for the host expires; None over HTTP."""
    if target.scheme != "https":
        return None
    with _connected(target, timeout, "TLS handshake") as connection:
        connection.connect()
        certificate = connection.sock.getpeercert()
    seconds = ssl.cert_time_to_seconds(certificate["notAfter"])
    return datetime.datetime.fromtimestamp(seconds, UTC)


def expiry_warning(
    host: str, not_after: datetime.datetime, now: datetime.datetime, warning_days: int
) -> str | None:
    """A GitHub warning line when the certificate expires within `warning_days` of `now`."""
    left = not_after - now
    if left > datetime.timedelta(days=warning_days):
        return None
    when = "within a day" if left.days < 1 else f"in {left.days} days"
    return (
        f"::warning::the certificate {host} serves expires on {not_after:%Y-%m-%d %H:%M} UTC "
        f"({when}): if it is imported, import its renewal under the same ARN "
        "(aws acm import-certificate --certificate-arn <arn>); ACM renews the certificates it "
        "issues from up to 60 days before they expire, so one of those this close has failed "
        "to renew (check its renewal status and validation records in ACM)"
    )


def _until_reachable(deadline: float, action, describe: str, retry_seconds: float):
    """Run `action` until it stops raising NotYetReachable, or the deadline passes."""
    last = ""
    while True:
        try:
            return action()
        except NotYetReachable as error:
            if str(error) != last:
                print(f"waiting: {error}", flush=True)
                last = str(error)
            if time.monotonic() >= deadline:
                raise SmokeError(f"{describe} not reachable in time: {error}") from error
            time.sleep(retry_seconds)


def infer_body(metadata: dict) -> dict:
    try:
        first = metadata["inputs"][0]
        features = int(first["shape"][-1])
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise SmokeError(f"model metadata has no inputs[0].shape: {metadata}") from error
    if features <= 0:
        raise SmokeError(f"model metadata gives {features} features")
    return {
        "inputs": [
            {
                "name": first["name"],
                "datatype": first["datatype"],
                "shape": [1, features],
                "data": [0.5] * features,
            }
        ]
    }


def smoke(
    target: Target,
    model: str,
    deadline: float,
    retry_seconds: float = 10,
    expiry_warning_days: int = 30,
) -> None:
    base = f"{target.scheme}://{target.host}"

    def until_reachable(action, describe: str):
        return _until_reachable(deadline, action, describe, retry_seconds)

    until_reachable(lambda: request(target, "GET", "/v2/health/ready"), base)
    print(f"{base}/v2/health/ready: 200", flush=True)
    not_after = until_reachable(lambda: served_certificate_expiry(target), f"{base} certificate")
    if not_after is not None:
        now = datetime.datetime.now(UTC)
        warning = expiry_warning(target.host, not_after, now, expiry_warning_days)
        print(warning or f"{base} certificate valid until {not_after:%Y-%m-%d}", flush=True)
    metadata = until_reachable(
        lambda: request(target, "GET", f"/v2/models/{model}"), f"{base} metadata"
    )
    if not isinstance(metadata, dict):
        raise SmokeError(f"model metadata is not an object: {metadata!r}")
    body = infer_body(metadata)
    answer = until_reachable(
        lambda: request(target, "POST", f"/v2/models/{model}/infer", body),
        f"{base} inference",
    )
    if not isinstance(answer, dict) or not answer.get("outputs"):
        raise SmokeError(f"the inference answer has no outputs: {answer!r}")
    print(f"{base}/v2/models/{model}/infer: {json.dumps(answer['outputs'])[:300]}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="http(s)://<host> the service answers on")
    parser.add_argument("--model", required=True, help="model name (V2 protocol)")
    parser.add_argument(
        "--connect-to", help="load balancer DNS name to connect to instead of resolving --url"
    )
    parser.add_argument(
        "--no-hostname-check",
        action="store_true",
        help="verify the certificate chain but not that it names --url's host",
    )
    parser.add_argument(
        "--ca-pem",
        help="PEM certificates to trust besides the system's (the certificate's chain from ACM)",
    )
    parser.add_argument(
        "--expiry-warning-days",
        type=int,
        default=30,
        help="warn when the served certificate expires within this many days",
    )
    parser.add_argument("--timeout-seconds", type=float, default=600)
    parser.add_argument("--retry-seconds", type=float, default=10)
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.timeout_seconds
    try:
        target = parse_target(args.url, args.connect_to, not args.no_hostname_check, args.ca_pem)
        smoke(target, args.model, deadline, args.retry_seconds, args.expiry_warning_days)
    except SmokeError as error:
        via = f" (connecting to {args.connect_to})" if args.connect_to else ""
        print(f"::error::smoke test through {args.url}{via} failed: {error}", flush=True)
        return 1
    print(f"smoke test passed through {args.url}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
