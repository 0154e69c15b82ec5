import express, { type Express, type Router } from 'express';
import helmet from 'helmet';

export interface HealthSource {
  isDraining(): boolean;
  instanceId: string;
  startedAt: number;
  connections(): number;
}

/** The HTTP side: security headers, the browser client, sign-in (auth/routes.ts), and the load balancer's probe. */
export function createHttpApp(publicDir: string, health: HealthSource, authRoutes: Router): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          // The role serves plain HTTP behind the load balancer; upgrading would break local runs.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );

  app.get('/healthz', (_request, response) => {
    const draining = health.isDraining();
    response
      .status(draining ? 503 : 200)
      .set('Cache-Control', 'no-store')
      .json({
        status: draining ? 'draining' : 'ok',
        instance: health.instanceId,
        uptimeS: Math.round((Date.now() - health.startedAt) / 1000),
        connections: health.connections(),
      });
  });

  app.use(authRoutes);

  // The page and its script keep fixed names, so browsers revalidate them (a 304 while unchanged):
  // after a deploy nobody runs a new page with an old script.
  app.use(express.static(publicDir, { index: 'index.html', cacheControl: false, setHeaders: revalidate }));
  return app;
}

function revalidate(response: express.Response): void {
  response.setHeader('Cache-Control', 'no-cache');
}
