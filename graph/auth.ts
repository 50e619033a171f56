/**
 * Access tokens for Graph, kept apart from the calls (pnpjs `packages/nodejs/behaviors/msal.ts`):
 * one ConfidentialClientApplication, `acquireTokenByClientCredential` before each request, MSAL's
 * in-memory cache answers until shortly before expiry.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import type { GraphAuthSettings } from './config';
import { GraphError } from './errors';

export interface TokenProvider {
  /** A bearer token for Graph. @throws GraphError (code 'auth') when none can be had. */
  getToken(): Promise<string>;
}

/** The scope for app-only Graph tokens: the app's consented application permissions. */
function graphScope(baseUrl: string): string {
  const origin = new URL(baseUrl).origin;
  return `${origin}/.default`;
}

/**
 * Builds the token provider for the configured auth kind.
 * @throws GraphError (code 'configuration') when a certificate file cannot be read or holds no key.
 */
export function createTokenProvider(auth: GraphAuthSettings, baseUrl: string): TokenProvider {
  if (auth.kind === 'static') {
    const token = auth.token;
    return { getToken: async () => token };
  }
  const authority = `https://login.microsoftonline.com/${auth.tenantId}`;
  let config: Configuration;
  if (auth.kind === 'clientSecret') {
    config = { auth: { clientId: auth.clientId, authority, clientSecret: auth.clientSecret } };
  } else {
    config = { auth: { clientId: auth.clientId, authority, clientCertificate: readCertificate(auth.certificatePath, auth.thumbprint) } };
  }
  const app = new ConfidentialClientApplication(config);
  // Graph in the public cloud takes tokens for https://graph.microsoft.com whatever the base URL's path.
  const scopes = [baseUrl.startsWith('https://graph.microsoft.com') ? 'https://graph.microsoft.com/.default' : graphScope(baseUrl)];
  return {
    async getToken(): Promise<string> {
      try {
        const result = await app.acquireTokenByClientCredential({ scopes });
        if (!result?.accessToken) {
          throw new GraphError('MSAL returned no access token', { code: 'auth', retryable: true });
        }
        return result.accessToken;
      } catch (err) {
        if (err instanceof GraphError) {
          throw err;
        }
        const e = err as { errorCode?: string; message?: string };
        // invalid_client / unauthorized_client are configuration faults; network trouble is transient.
        const permanent = /invalid_client|unauthorized_client|invalid_request|AADSTS7000215|AADSTS700016/.test(`${e.errorCode ?? ''} ${e.message ?? ''}`);
        throw new GraphError(`Could not get a Graph token: ${e.errorCode ?? 'error'}`, { code: 'auth', retryable: !permanent, cause: err });
      }
    }
  };
}

/**
 * Reads a PEM file with the private key and (for the thumbprint, when not given) the certificate.
 * MSAL wants the SHA-256 thumbprint (hex) and the PEM private key.
 */
function readCertificate(path: string, thumbprint: string | undefined): { thumbprintSha256?: string; thumbprint?: string; privateKey: string; x5c?: string } {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GraphError(`Cannot read the certificate file ${path}`, { code: 'configuration', retryable: false, cause: err });
  }
  const key = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (!key) {
    throw new GraphError(`The certificate file ${path} holds no private key`, { code: 'configuration', retryable: false });
  }
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (thumbprint) {
    const hex = thumbprint.replace(/[^0-9a-fA-F]/g, '');
    // 40 hex digits = SHA-1 (legacy); 64 = SHA-256.
    return hex.length === 40 ? { thumbprint: hex, privateKey: key, x5c: cert } : { thumbprintSha256: hex, privateKey: key, x5c: cert };
  }
  if (!cert) {
    throw new GraphError(`The certificate file ${path} holds no certificate and no thumbprint is configured`, { code: 'configuration', retryable: false });
  }
  const sha256 = new X509Certificate(cert).fingerprint256.replace(/:/g, '');
  return { thumbprintSha256: sha256, privateKey: key, x5c: cert };
}
