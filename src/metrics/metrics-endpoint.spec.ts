import { Counter, Registry } from 'prom-client';
import request from 'supertest';
import { metricsHandler, MetricsServer } from './metrics-endpoint';

describe('the metrics endpoint', () => {
  const registry = new Registry();
  new Counter({ name: 'probe_total', help: 'a probe', registers: [registry] }).inc(3);
  const token = 'm'.repeat(40);
  let server: MetricsServer;
  let open: MetricsServer;
  let withToken: string;
  let withoutToken: string;

  beforeAll(async () => {
    server = new MetricsServer(metricsHandler(registry, token));
    open = new MetricsServer(metricsHandler(registry, undefined));
    withToken = `http://127.0.0.1:${(await server.listen(0, '127.0.0.1')).port}`;
    withoutToken = `http://127.0.0.1:${(await open.listen(0, '127.0.0.1')).port}`;
  });
  afterAll(async () => {
    await server.close();
    await open.close();
  });

  it('answers the registry in the text format to the bearer of the token', async () => {
    const res = await request(withToken).get('/metrics').set('authorization', `Bearer ${token}`).expect(200);
    expect(res.text).toContain('probe_total 3');
    expect(res.headers['content-type']).toBe(registry.contentType);
  });

  it('refuses anyone else with 401, however close the token', async () => {
    for (const header of [
      undefined,
      `Bearer ${token}x`,
      `Bearer ${token.slice(1)}`,
      `bearer ${token}`,
      token,
      `Bearer  ${token}`,
      `Basic ${token}`,
    ]) {
      const req = request(withToken).get('/metrics');
      const res = await (header === undefined ? req : req.set('authorization', header));
      expect([header, res.status]).toEqual([header, 401]);
      expect(res.text).not.toContain('probe_total');
    }
  });

  it('without a token, answers anyone who can reach the listener', async () => {
    expect((await request(withoutToken).get('/metrics').expect(200)).text).toContain('probe_total 3');
    expect((await request(withoutToken).get('/metrics?x=1').expect(200)).text).toContain('probe_total 3');
  });

  it('answers nothing but GET /metrics', async () => {
    for (const path of ['/', '/metrics/', '/Metrics', '/graphql', '/health'])
      expect([path, (await request(withoutToken).get(path)).status]).toEqual([path, 404]);
    const post = await request(withoutToken).post('/metrics').expect(405);
    expect(post.headers.allow).toBe('GET');
  });

  it('closes with scrapers still connected', async () => {
    const extra = new MetricsServer(metricsHandler(registry, undefined));
    const { port } = await extra.listen(0, '127.0.0.1');
    await request(`http://127.0.0.1:${port}`).get('/metrics').set('connection', 'keep-alive').expect(200);
    await extra.close();
    expect(extra.address()).toBeUndefined();
  });
});
