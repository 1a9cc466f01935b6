/**
 * Test PKI generated with the system `openssl` (3.x): a CA plus a server certificate for
 * 127.0.0.1/localhost (TLS registry), and a self-signed RSA certificate that signs registry tokens.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: 30_000 });
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error('openssl not found on PATH: install it (apt-get install -y openssl)');
    throw new Error(`openssl ${args[0]} failed: ${err.stderr ?? String(e)}`);
  }
}

export interface TlsCerts {
  /** PEM of the CA that signed the server certificate: what clients must trust. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A CA and a server certificate (SAN IP:127.0.0.1, DNS:localhost) written into `dir`. */
export async function generateTlsCerts(dir: string): Promise<TlsCerts> {
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '3650',
      '-subj',
      '/CN=tagflow test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  await openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'],
    dir,
  );
  await writeFile(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' +
      'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '825',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

export interface SigningCert {
  certFile: string;
  keyFile: string;
}

/** A self-signed RSA certificate for signing registry tokens (the registry trusts it via rootcertbundle). */
export async function generateSigningCert(dir: string, name = 'token'): Promise<SigningCert> {
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '3650',
      '-subj',
      '/CN=tagflow test token issuer',
    ],
    dir,
  );
  return { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
}
