/**
 * Snapshots of each stack, normalized so asset hashes and bundle keys do not break them. They
 * supplement the fine-grained assertions: a diff here is a prompt to look, not a spec.
 */
import { buildApp } from './support';

function normalize(template: unknown): unknown {
  return JSON.parse(
    JSON.stringify(template)
      .replace(/[0-9a-f]{64}(\.zip|\.json)?/g, 'HASH$1')
      .replace(/"S3Key":"[^"]+"/g, '"S3Key":"ASSET"')
      .replace(/cdk-hnb659fds-assets-[^"]+/g, 'ASSET_BUCKET'),
  );
}

describe('stack snapshots', () => {
  const { templates } = buildApp();
  it.each(['network', 'kafka', 'lake', 'processing'] as const)('%s', (name) => {
    expect(normalize(templates[name].toJSON())).toMatchSnapshot();
  });
});
