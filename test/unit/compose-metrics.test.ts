/**
 * docker compose's metrics services hang together: Prometheus scrapes the worker's METRICS_PORT, Grafana's
 * provisioned data source is the one the dashboard's panels name, every mounted file exists, and every variable
 * given to the worker is one the configuration knows. (The PromQL itself is run against a real Prometheus in
 * test/e2e/metrics.test.ts.)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT, ZEnv } from '../../worker/config.js';

interface Service {
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
}
const read = (p: string): string => readFileSync(path.join(PROJECT_ROOT, p), 'utf8');
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };

describe('the compose metrics services', () => {
  it('mount files that exist', () => {
    for (const name of ['prometheus', 'grafana']) {
      const service = compose.services[name];
      expect(service?.image, name).toMatch(/^(prom\/prometheus|grafana\/grafana):v?\d/);
      for (const v of service?.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(path.join(PROJECT_ROOT, source)), v).toBe(true);
      }
    }
  });

  it('scrape the worker where it serves /metrics, with variables the configuration knows', () => {
    const env = compose.services.worker?.environment ?? {};
    const known = Object.keys(ZEnv.shape);
    for (const key of Object.keys(env)) expect(known, key).toContain(key);
    const prom = parse(read('docker/prometheus/prometheus.yml')) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    expect(prom.scrape_configs[0]?.static_configs[0]?.targets).toEqual([`worker:${env.METRICS_PORT}`]);
    expect(env.METRICS_HOST).toBe('0.0.0.0');
  });

  it('give Grafana the data source every dashboard panel names', () => {
    const sources = parse(read('docker/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: Array<{ uid: string; url: string }>;
    };
    const dashboard = JSON.parse(read('docker/grafana/dashboards/nachfass.json')) as {
      panels: Array<{ title: string; datasource: { uid: string }; targets: Array<{ expr: string }> }>;
    };
    expect(sources.datasources[0]?.url).toBe('http://prometheus:9090');
    for (const p of dashboard.panels) {
      expect(p.datasource.uid, p.title).toBe(sources.datasources[0]?.uid);
      expect(p.targets.length, p.title).toBeGreaterThan(0);
    }
  });
});
