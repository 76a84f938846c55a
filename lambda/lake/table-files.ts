/**
 * Iceberg's FileIO, over a LakeStore: reads and writes files by their full location
 * (`s3://bucket/…` in AWS, `file:/…` locally), as table metadata names them. The store's keys are
 * relative to `root`, the location of its first key: `s3://<bucket>/` for the S3 store, the lake
 * directory's `file:` URI for the local one (or the directory an S3-compatible server keeps the
 * bucket in). A location outside the root is a ConfigurationError: the table lives somewhere this
 * processor was not given access to.
 */
import { ConfigurationError } from '../../model/errors';
import type { LakeStore, LakeStoreListing } from '../adapters/lake-store';

export interface TableFiles {
  put(location: string, bytes: Uint8Array, contentType?: string): Promise<void>;
  /** The file's bytes, or undefined when it does not exist. */
  get(location: string): Promise<Uint8Array | undefined>;
  /** Where the store's keys start, as a location (ends with `/`). */
  readonly root: string;
}

/** One spelling per location: `file:///x` and `file://localhost/x` are `file:/x` (as Iceberg's Java FileIO writes them). */
export function canonicalLocation(location: string): string {
  return location.replace(/^file:\/\/(?:localhost)?\//, 'file:/');
}

/** The `file:` location of a local directory (an absolute path), with a trailing slash. */
export function directoryLocation(dir: string): string {
  return `file:${dir.replace(/\/+$/, '')}/`.replace(/^file:(?!\/)/, 'file:/');
}

export function storeTableFiles(store: LakeStore, root: string): TableFiles {
  const base = canonicalLocation(root.endsWith('/') ? root : `${root}/`);
  const keyOf = (location: string): string => {
    const l = canonicalLocation(location);
    if (!l.startsWith(base) || l.length === base.length) {
      throw new ConfigurationError(`iceberg: ${location} is outside the lake this processor writes (${base}): create the table under that location`);
    }
    return l.slice(base.length);
  };
  return {
    root: base,
    // async: a location outside the lake rejects, as a failed write does, instead of throwing at the call
    put: async (location, bytes, contentType) => store.put(keyOf(location), bytes, contentType),
    get: async (location) => store.get(keyOf(location)),
  };
}

/** A file found under a location, by its full location. */
export interface TableFile {
  readonly location: string;
  readonly size: number;
  /** Epoch millis. */
  readonly lastModified: number;
}

/** Listing and deleting files by location: what the compactor's orphan sweep needs (./maintenance.ts). */
export interface TableFileListing {
  /** Every file whose location starts with `prefix` (a location ending with `/`). */
  list(prefix: string): Promise<TableFile[]>;
  delete(locations: readonly string[]): Promise<void>;
}

export function storeTableFileListing(store: LakeStoreListing, root: string): TableFileListing {
  const base = canonicalLocation(root.endsWith('/') ? root : `${root}/`);
  const keyOf = (location: string): string => {
    const l = canonicalLocation(location);
    if (!l.startsWith(base) || l.length === base.length) {
      throw new ConfigurationError(`iceberg: ${location} is outside the lake this compactor maintains (${base})`);
    }
    return l.slice(base.length);
  };
  return {
    list: async (prefix) => (await store.list(keyOf(prefix))).map((o) => ({ location: base + o.key, size: o.size, lastModified: o.lastModified })),
    delete: async (locations) => store.delete(locations.map(keyOf)),
  };
}
