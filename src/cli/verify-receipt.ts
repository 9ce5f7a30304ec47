import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { JSONWebKeySet } from '../domain/jose';
import { InclusionProofJson, verifyReceipt } from '../domain/receipts/receipt-verifier';

const USAGE =
  'usage: npm run verify-receipt -- <receipt file or JWS> [--jwks <url|file>] [--previous <receipt>] [--proof <json file or JSON>]\n';

/** A receipt argument: a file holding a compact JWS, or the JWS itself. */
function receiptText(arg: string): string {
  return existsSync(arg) ? readFileSync(arg, 'utf8').trim() : arg.trim();
}

/** The key set from a URL (fetched) or a file; by default the local server's. */
async function loadKeys(source: string): Promise<JSONWebKeySet> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`GET ${source} answered ${response.status}`);
    return (await response.json()) as JSONWebKeySet;
  }
  return JSON.parse(readFileSync(source, 'utf8')) as JSONWebKeySet;
}

/** An inclusion proof: a file, or the JSON itself; a GraphQL answer's `data.deletionInclusionProof` is unwrapped. */
function loadProof(arg: string): InclusionProofJson {
  const json = JSON.parse(existsSync(arg) ? readFileSync(arg, 'utf8') : arg) as Record<string, unknown>;
  const data = json.data as { deletionInclusionProof?: InclusionProofJson } | undefined;
  return (data?.deletionInclusionProof ?? json.deletionInclusionProof ?? json) as InclusionProofJson;
}

/**
 * `npm run verify-receipt -- <receipt> [--jwks …] [--previous …] [--proof …]` checks a deletion receipt
 * offline (docs/receipts.md): the signature against the key set, the payload's fields, the chain link
 * to the previous receipt and an inclusion proof. Prints each check; exits 1 if any fails, 2 on bad usage.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { jwks: { type: 'string' }, previous: { type: 'string' }, proof: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const jwksSource = values.jwks ?? `http://127.0.0.1:${process.env.PORT ?? '4000'}/.well-known/jwks.json`;
  const verification = await verifyReceipt(receiptText(positionals[0]), await loadKeys(jwksSource), {
    previous: values.previous === undefined ? undefined : receiptText(values.previous),
    proof: values.proof === undefined ? undefined : loadProof(values.proof),
  });
  process.stdout.write(`keys: ${jwksSource}\n`);
  for (const check of verification.checks)
    process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'} ${check.what}: ${check.detail}\n`);
  const payload = verification.payload;
  if (payload) {
    process.stdout.write(
      `receipt ${payload.receiptId} of deletion ${payload.deletionId}: ${payload.status}, ${payload.total.count} objects, ` +
        `${payload.total.bytes} bytes, ${payload.filesRemoved} files, verified after execution: ${payload.verified}\n`,
    );
    if (values.previous === undefined)
      process.stdout.write(
        `chain link not checked (previousReceiptHash ${payload.previousReceiptHash ?? 'null'}): pass --previous\n`,
      );
  }
  process.stdout.write(verification.ok ? 'receipt verified\n' : 'receipt NOT verified\n');
  process.exit(verification.ok ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`verify-receipt: ${(error as Error).message}\n`);
  process.exit(1);
});
