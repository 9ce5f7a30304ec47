import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = path.join(__dirname, '../src');
// Packages that speak a transport: the domain core (errors, services, scheduler) must import none.
const TRANSPORT_PACKAGES = /^(graphql|graphql-ws|graphql-scalars|type-graphql|express|ws|@apollo\/|@as-integrations\/)/;
const TRANSPORT_FOLDERS = ['http', 'ws', 'ui', 'graphql'].map((folder) => path.join(SRC, folder));

/** The `.ts` file a relative import names, or the package name of any other import. */
function resolveImport(from: string, specifier: string): { file?: string; pkg?: string } {
  if (!specifier.startsWith('.')) return { pkg: specifier };
  const base = path.resolve(path.dirname(from), specifier);
  return { file: base.endsWith('.ts') ? base : `${base}.ts` };
}

/** Every import chain from `roots` that reaches a transport package or folder, as "a → b → pkg". */
function transportImports(roots: readonly string[]): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const here = [...chain, path.relative(SRC, file)];
    const inTransport = TRANSPORT_FOLDERS.some((folder) => file.startsWith(folder + path.sep));
    if (chain.length > 0 && inTransport) {
      found.push(here.join(' → '));
      return;
    }
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8')).importedFiles) {
      const { file: next, pkg } = resolveImport(file, fileName);
      if (pkg && TRANSPORT_PACKAGES.test(pkg)) found.push([...here, pkg].join(' → '));
      if (next) visit(next, here);
    }
  };
  for (const root of roots) visit(root, []);
  return found;
}

const filesIn = (folder: string) =>
  readdirSync(path.join(SRC, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(SRC, folder, name));

describe('the domain core knows nothing of GraphQL or HTTP', () => {
  it('errors, services and the scheduler import no transport package, directly or through another module', () => {
    const roots = [path.join(SRC, 'errors.ts'), ...filesIn('domain'), ...filesIn('scheduler')];
    expect(transportImports(roots)).toEqual([]);
  });

  it('the import walk does see a transport import where there is one', () => {
    // Guards the test above against passing because the walk found nothing at all.
    expect(transportImports([path.join(SRC, 'graphql/graphql-errors.ts')])).toContain(
      'graphql/graphql-errors.ts → graphql',
    );
  });
});
