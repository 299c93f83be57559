// The peer: ussd-menu-builder on Express, with its session in Redis through sessionConfig,
// serving the benchmark flow (bench/flows/shop.flow.yaml) with the same screens.
import express from 'express'
import { Redis } from 'ioredis'
import UssdMenu from 'ussd-menu-builder'
import { exitOnSigterm, readServerEnvironment } from './server-environment.ts'

const { port, host, redisUrl } = readServerEnvironment()
const redis = new Redis(redisUrl)
const sessionTtlSeconds = 240
const items: Record<string, string> = { '1': 'Maize flour', '2': 'Rice', '3': 'Beans' }

const sessionKey = (sessionId: string, name: string) => `peer:{${sessionId}}:${name}`

// A UssdMenu keeps the current request's arguments and reply callback on the instance, so one
// shared instance mixes up concurrent requests: each request gets its own.
function buildMenu(): UssdMenu {
  const menu = new UssdMenu()
  menu.sessionConfig({
    start: async () => undefined,
    end: async (sessionId) =>
      redis.del(sessionKey(sessionId, 'item'), sessionKey(sessionId, 'amount')),
    get: async (sessionId, name) => redis.get(sessionKey(sessionId, name)),
    set: async (sessionId, name, value) =>
      redis.set(sessionKey(sessionId, name), String(value), 'EX', sessionTtlSeconds),
  })

  menu.startState({
    run: () => menu.con('Welcome to Duka\n1. Buy\n2. My orders'),
    next: { '1': 'item', '2': 'orders' },
  })
  menu.state('item', {
    run: () => menu.con('Choose item\n1. Maize flour\n2. Rice\n3. Beans\n0. Back'),
    next: { '0': '__start__', '*^[1-3]$': 'amount' },
  })
  menu.state('amount', {
    run: async () => {
      await menu.session.set('item', items[menu.val])
      menu.con('Enter amount in KES\n0. Back')
    },
    next: { '0': 'item', '*^\\d+$': 'confirm' },
  })
  menu.state('confirm', {
    run: async () => {
      const amount = Number(menu.val)
      if (amount < 10 || amount > 70_000)
        return menu.con('Invalid amount.\nEnter amount in KES\n0. Back')
      await menu.session.set('amount', menu.val)
      const item = await menu.session.get('item')
      menu.con(`Buy ${item} for KES ${amount}?\n1. Confirm\n0. Back`)
    },
    next: { '0': 'amount', '1': 'ordered' },
  })
  menu.state('ordered', {
    run: async () => {
      // A real service places the order here with what the session holds.
      await menu.session.get('item')
      await menu.session.get('amount')
      menu.end('Order placed. Pay on delivery.')
    },
  })
  menu.state('orders', { run: () => menu.end('You have no orders.') })
  return menu
}

const app = express()
app.use(express.urlencoded({ extended: false }))
app.get('/healthz', (_request, response) => {
  response.type('text/plain').send('ok')
})
app.post('/africastalking/ussd', async (request, response) => {
  const reply = await buildMenu().run(request.body)
  response.type('text/plain').send(reply)
})

const server = app.listen(port, host)
exitOnSigterm(
  (done) => server.close(() => done()),
  () => redis.quit(),
)
