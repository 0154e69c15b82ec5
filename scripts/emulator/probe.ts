import http from 'node:http';
import net from 'node:net';
import type { Probe } from './emulated-role.js';

export type ProbeResult = { passed: true } | { passed: false; reason: string };

/**
 * One probe of one instance, as Azure's load balancer sends it: http passes on 200 only; tcp
 * passes when a connection opens. No answer within the timeout fails.
 */
export function probeOnce(probe: Probe, port: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      settle({ passed: false, reason: `no answer within ${probe.timeoutMs} ms` });
      cancel();
    }, probe.timeoutMs);

    let cancel: () => void;
    if (probe.protocol === 'tcp') {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        settle({ passed: true });
        socket.destroy();
      });
      socket.on('error', (error) => settle({ passed: false, reason: error.message }));
      cancel = () => socket.destroy();
    } else {
      const request = http.get({ host: '127.0.0.1', port, path: probe.path, agent: false }, (response) => {
        response.resume();
        settle(response.statusCode === 200 ? { passed: true } : { passed: false, reason: `HTTP ${response.statusCode}` });
      });
      request.on('error', (error) => settle({ passed: false, reason: error.message }));
      cancel = () => request.destroy();
    }
  });
}

export interface ProberOptions {
  probe: Probe;
  port: number;
  onResult(result: ProbeResult): void;
}

const STARTING_INTERVAL_MS = 200;

/** Probes one instance every interval, never with two probes outstanding, until stopped. */
export class Prober {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private passedOnce = false;

  constructor(private readonly options: ProberOptions) {}

  start(): void {
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    const result = await probeOnce(this.options.probe, this.options.port);
    if (this.stopped) return;
    if (result.passed) this.passedOnce = true;
    this.options.onResult(result);
    // Until a starting instance first passes, probe often: Azure would wait a whole interval (5 s
    // or more), which only makes a developer wait for the emulator.
    const interval = this.passedOnce ? this.options.probe.intervalMs : Math.min(STARTING_INTERVAL_MS, this.options.probe.intervalMs);
    this.timer = setTimeout(() => void this.tick(), interval);
  }
}
