// The floor of this architecture: Hono on @hono/node-server, the form parsed with
// URLSearchParams, and one Redis GET and one SET per hop. No flow, no validation, no logging:
// nothing a USSD engine on this stack could do with less.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { Redis } from 'ioredis'
import { exitOnSigterm, readServerEnvironment } from './server-environment.ts'

const { port, host, redisUrl } = readServerEnvironment()
const redis = new Redis(redisUrl)
const menu = 'CON Welcome to Duka\n1. Buy\n2. My orders'

const app = new Hono()
app.get('/healthz', (c) => c.text('ok'))
app.post('/africastalking/ussd', async (c) => {
  const form = new URLSearchParams(await c.req.text())
  const key = `floor:{${form.get('sessionId')}}`
  await redis.get(key)
  await redis.set(key, form.get('text') ?? '', 'EX', 240)
  return c.text(menu)
})

const server = serve({ fetch: app.fetch, port, hostname: host })
exitOnSigterm(
  (done) => server.close(() => done()),
  () => redis.quit(),
)
