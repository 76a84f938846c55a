/**
 * AWS Signature Version 4 for the REST catalog client's `sign` hook: the Glue Data Catalog's Iceberg
 * REST endpoint (`https://glue.<region>.amazonaws.com/iceberg`) authenticates every request with
 * SigV4 under the signing name `glue`.
 *
 * Built from what the AWS SDK clients this project already depends on bring along (no dependency
 * of its own): `@smithy/signature-v4` (through `@aws-sdk/core`) and the default credential chain
 * `@aws-sdk/credential-provider-node` (environment variables in Lambda, profiles and SSO locally).
 * SHA-256 comes from node:crypto.
 */
import { createHash, createHmac, type Hash as NodeHash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, SourceData } from '@smithy/types';
import type { CatalogHttpRequest, RequestSigner } from './rest-catalog';

const bytes = (data: SourceData): Buffer =>
  typeof data === 'string' ? Buffer.from(data, 'utf8') : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape SignatureV4 takes. */
class Sha256 {
  private readonly hash: NodeHash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

export interface SigV4SignerOptions {
  readonly region: string;
  /** @default 'glue' */
  readonly service?: string;
  /** @default the AWS SDK's default credential chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The signing time (tests). @default now */
  readonly now?: () => Date;
}

/**
 * A `sign` hook that adds SigV4 headers (`authorization`, `x-amz-date`, `x-amz-security-token` with
 * temporary credentials) for the request's method, URL, headers and body.
 */
export function sigV4Signer(options: SigV4SignerOptions): RequestSigner {
  const signer = new SignatureV4({
    service: options.service ?? 'glue',
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
    // the payload hash header is S3's (and Glacier's); other services sign the body without it
    applyChecksum: false,
  });
  return async (request: CatalogHttpRequest): Promise<CatalogHttpRequest> => {
    const url = new URL(request.url);
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const previous = query[k];
      query[k] = previous === undefined ? v : [...(Array.isArray(previous) ? previous : [previous]), v];
    }
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        // as sent: percent-encoded once (SigV4 encodes it again for the canonical request)
        path: url.pathname,
        query,
        headers: { ...request.headers, host: url.host },
        body: request.body,
      },
      { signingDate: options.now?.() },
    );
    // fetch sets Host itself, to the same value
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') headers[k] = v;
    return { ...request, headers };
  };
}
