import {
  Global,
  Inject,
  Injectable,
  Logger,
  MiddlewareConsumer,
  Module,
  NestModule,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  RequestMethod,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { registerDatabaseGauges } from './database-gauges';
import { httpMetricsMiddleware } from './http-metrics.middleware';
import { HubMetrics, noHubMetrics } from './hub-metrics';
import { METRICS_PATH, metricsHandler, MetricsServer } from './metrics-endpoint';
import { metricsEnabled } from './observability-settings';
import { PrometheusHubMetrics } from './prometheus-metrics';

/**
 * Where /metrics is answered: on a listener of its own (METRICS_PORT, bound to METRICS_HOST), or on the
 * main port behind METRICS_TOKEN; neither set, nowhere (404, and the no-op HubMetrics).
 */
@Injectable()
export class MetricsEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: MetricsServer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: HubMetrics,
    private readonly http: HttpAdapterHost,
  ) {}

  /** The handler for the main port, when that is where metrics are served. */
  mainPortHandler() {
    const { port, token } = this.config.observability.metrics;
    return this.metrics instanceof PrometheusHubMetrics && port === undefined && token !== undefined
      ? metricsHandler(this.metrics.registry, token)
      : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host, token } = this.config.observability.metrics;
    // Only beside an HTTP application: a CLI command's context (no HTTP adapter) must not take the port.
    if (port === undefined || !(this.metrics instanceof PrometheusHubMetrics) || !this.http.httpAdapter) return;
    // On this listener a token, if set, is required too.
    this.server = new MetricsServer(metricsHandler(this.metrics.registry, token));
    const bound = await this.server.listen(port, host);
    this.logger.log(
      `metrics at http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}${METRICS_PATH}${token ? ' (bearer token required)' : ''}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }

  /** The separate listener's address (tests; METRICS_PORT=0 takes a free port). */
  address(): AddressInfo | undefined {
    return this.server?.address();
  }
}

/**
 * Prometheus metrics and the HTTP side of tracing. Global, so that any domain can take `HubMetrics` in its
 * constructor (the port; no domain imports prom-client).
 */
@Global()
@Module({
  providers: [
    {
      provide: HubMetrics,
      inject: [APP_CONFIG, DataSource],
      useFactory: (config: AppConfig, dataSource: DataSource): HubMetrics => {
        if (!metricsEnabled(config.observability)) return noHubMetrics;
        const metrics = new PrometheusHubMetrics();
        registerDatabaseGauges(metrics, dataSource);
        return metrics;
      },
    },
    MetricsEndpoint,
  ],
  exports: [HubMetrics, MetricsEndpoint],
})
export class MetricsModule implements NestModule {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: HubMetrics,
    private readonly endpoint: MetricsEndpoint,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    // Timing needs metrics on, the request's root span tracing; with neither, no middleware at all.
    if (metricsEnabled(this.config.observability) || this.config.observability.traces) {
      consumer.apply(httpMetricsMiddleware(this.metrics)).forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
    }
    // Middleware, not a controller: the scraper's bearer token is not a hub token, and the guard would refuse it.
    const handler = this.endpoint.mainPortHandler();
    if (handler) consumer.apply(handler).forRoutes({ path: METRICS_PATH, method: RequestMethod.GET });
  }
}
