// A real S3-compatible server for one test file: s3rver on loopback, with a bucket of its own.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import type { Test } from 'tap'
import { mediaDir } from './helper.js'

export interface TestS3 {
  endpoint: string
  bucket: string
  region: string
  client: S3Client
  /** The variables an app is configured with to use it (MEDIA_STORAGE=s3). */
  env: Record<string, string>
}

export async function startS3(t: Test): Promise<TestS3> {
  // The SDK takes its credentials from the standard variables; s3rver accepts these.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER'
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER'
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: await mediaDir(t) })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  const region = 'us-east-1'
  const client = new S3Client({ region, endpoint, forcePathStyle: true })
  t.teardown(async () => {
    client.destroy()
    await server.close()
  })
  const bucket = 'newsdesk-media'
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  const env = {
    MEDIA_STORAGE: 's3',
    S3_BUCKET: bucket,
    S3_ENDPOINT: endpoint,
    S3_REGION: region,
    S3_FORCE_PATH_STYLE: 'true',
  }
  return { endpoint, bucket, region, client, env }
}
