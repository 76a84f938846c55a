// Jest transformer: esbuild turns TypeScript and the ESM-only dependencies (hyparquet*) into
// CommonJS. It only strips types, so `npm run build` (tsc --noEmit) does the type checking.
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const loader = filename.endsWith('.ts') ? 'ts' : 'js';
    const result = transformSync(source, {
      loader,
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: filename,
    });
    return { code: result.code };
  },
};
