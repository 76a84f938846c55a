import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { LakeStoreError, type LakeStore, type LakeStoreListing, type ListedObject } from './lake-store';

export interface S3LakeStoreOptions {
  readonly bucket: string;
  /** An S3-compatible endpoint (local servers); path-style addressing is used with it. @default AWS S3 */
  readonly endpoint?: string;
  /** @default the SDK's region resolution */
  readonly region?: string;
  /** Reuse a client (the Lambda handler creates one per container). */
  readonly client?: S3Client;
}

export function createS3Client(options: Pick<S3LakeStoreOptions, 'endpoint' | 'region'>): S3Client {
  const config: S3ClientConfig = { region: options.region };
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    config.forcePathStyle = true;
  }
  return new S3Client(config);
}

/** The lake in an S3 bucket. Objects are encrypted with the bucket's default KMS key. */
export class S3LakeStore implements LakeStore, LakeStoreListing {
  private readonly client: S3Client;
  readonly bucket: string;

  constructor(options: S3LakeStoreOptions) {
    this.bucket = options.bucket;
    this.client = options.client ?? createS3Client(options);
  }

  async put(key: string, body: Uint8Array, contentType = 'application/vnd.apache.parquet'): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
    } catch (err) {
      throw new LakeStoreError(`cannot write s3://${this.bucket}/${key}: ${(err as Error).message}`, { cause: err });
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw new LakeStoreError(`cannot read s3://${this.bucket}/${key}: ${(err as Error).message}`, { cause: err });
    }
  }

  describe(): string {
    return `s3://${this.bucket}`;
  }

  /** ListObjectsV2, every page (s3:ListBucket on the bucket). */
  async list(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      } catch (err) {
        throw new LakeStoreError(`cannot list s3://${this.bucket}/${prefix}: ${(err as Error).message}`, { cause: err });
      }
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /** DeleteObjects, 1,000 keys a request (s3:DeleteObject); a key already gone counts as deleted. */
  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      let errors;
      try {
        errors = (await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }))).Errors;
      } catch (err) {
        throw new LakeStoreError(`cannot delete ${chunk.length} objects from s3://${this.bucket}: ${(err as Error).message}`, { cause: err });
      }
      if (errors && errors.length > 0) {
        throw new LakeStoreError(`cannot delete ${errors.length} objects from s3://${this.bucket}, e.g. ${errors[0].Key}: ${errors[0].Code} ${errors[0].Message}`);
      }
    }
  }
}
