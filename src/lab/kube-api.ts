/**
 * The one Kubernetes API call the lab's driver makes: deleting a pod (a
 * kill; its StatefulSet makes it again). In-cluster credentials, as every
 * pod has them: the service account's token and CA, and the API server's
 * address from the environment Kubernetes sets.
 */
import { readFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

const ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

export class KubeApiError extends Error {
  override name = 'KubeApiError'
}

export interface KubeApi {
  deletePod(name: string, graceSeconds?: number): Promise<void>
}

export interface InClusterOptions {
  /** Where the token, CA and namespace files are (tests). */
  accountDir?: string
  /** `https://host:port` of the API server (default from KUBERNETES_SERVICE_HOST/PORT); `http://` only for tests. */
  server?: string
}

export async function inClusterApi(opts: InClusterOptions = {}): Promise<KubeApi & { namespace: string }> {
  const dir = opts.accountDir ?? ACCOUNT_DIR
  const host = process.env.KUBERNETES_SERVICE_HOST
  const port = process.env.KUBERNETES_SERVICE_PORT ?? '443'
  const server = opts.server ?? (host ? `https://${host.includes(':') ? `[${host}]` : host}:${port}` : undefined)
  if (!server) throw new KubeApiError('not in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set')
  let token: string
  let ca: string
  let namespace: string
  try {
    token = (await readFile(`${dir}/token`, 'utf8')).trim()
    ca = await readFile(`${dir}/ca.crt`, 'utf8')
    namespace = (await readFile(`${dir}/namespace`, 'utf8')).trim()
  } catch (err) {
    throw new KubeApiError(`no service account credentials in ${dir}: ${(err as Error).message}`)
  }
  return {
    namespace,
    deletePod: (name, graceSeconds) =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify({
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          ...(graceSeconds === undefined ? {} : { gracePeriodSeconds: graceSeconds }),
        })
        const url = new URL(
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
          server,
        )
        const request = url.protocol === 'http:' ? httpRequest : httpsRequest
        const req = request(
          url,
          {
            method: 'DELETE',
            ca,
            // DELETE sends no chunked body by default: without a length the body would be read as the next request.
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
            timeout: 10_000,
          },
          (res) => {
            let text = ''
            res.on('data', (chunk) => {
              if (text.length < 4096) text += chunk
            })
            res.on('end', () => {
              // 404: already gone, which is what we asked for.
              if (res.statusCode === 200 || res.statusCode === 202 || res.statusCode === 404) resolve()
              else reject(new KubeApiError(`deleting pod ${name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`))
            })
          },
        )
        req.on('timeout', () => req.destroy(new KubeApiError(`deleting pod ${name}: no answer within 10 s`)))
        req.on('error', reject)
        req.end(body)
      }),
  }
}
