import { ConfigReader } from '@backstage/config';
import { once } from 'node:events';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One answer of the stand-in: a status and a JSON body. */
export interface GithubAnswer {
  status: number;
  body: unknown;
}

/**
 * A GitHub REST API stand-in on loopback: answers `GET <path>` from
 * `answers` (404 otherwise) and records every request.
 */
export class GithubApiStandIn {
  readonly answers = new Map<string, GithubAnswer>();
  readonly requests: Array<{ path: string; headers: IncomingHttpHeaders }> = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<GithubApiStandIn> {
    const server = createServer();
    const standIn = new GithubApiStandIn(server);
    server.on('request', (req, res) => {
      standIn.requests.push({ path: req.url ?? '', headers: req.headers });
      const answer = standIn.answers.get(`${req.method} ${req.url}`) ?? {
        status: 404,
        body: { message: 'Not Found' },
      };
      res
        .writeHead(answer.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(answer.body));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return standIn;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The repository and its subject template, as GitHub answers them. */
  serveRepository(
    repository: {
      owner: string;
      ownerId: number;
      name: string;
      id: number;
    },
    subjectTemplate: GithubAnswer = {
      status: 200,
      body: { use_default: true },
    },
  ): void {
    const path = `/repos/${repository.owner}/${repository.name}`;
    this.answers.set(`GET ${path}`, {
      status: 200,
      body: {
        id: repository.id,
        name: repository.name,
        full_name: `${repository.owner}/${repository.name}`,
        owner: {
          login: repository.owner,
          id: repository.ownerId,
          type: 'Organization',
        },
      },
    });
    this.answers.set(
      `GET ${path}/actions/oidc/customization/sub`,
      subjectTemplate,
    );
  }

  reset(): void {
    this.answers.clear();
    this.requests.length = 0;
  }

  /** app-config whose github.com integration talks to this stand-in. */
  config(token = 'integration-token'): ConfigReader {
    return new ConfigReader({
      integrations: {
        github: [{ host: 'github.com', apiBaseUrl: this.url, token }],
      },
    });
  }

  async stop(): Promise<void> {
    this.server.close();
    await once(this.server, 'close');
  }
}
