import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BatchObservableResult } from '@opentelemetry/api';
import type { ChatIO } from '../socket/types.js';
import { meter } from './instruments.js';

const ROOM_PREFIX = 'room:';

/**
 * The instance's state as gauges, read only when an exporter collects (every export interval),
 * never on a request path. Returns the function that stops observing (the server closed).
 */
export function observeChatServer(io: ChatIO, isDraining: () => boolean): () => void {
  const m = meter();
  const sockets = m.createObservableGauge('chat.sockets.connected', { description: 'Sockets connected to this instance', unit: '{socket}' });
  const sessions = m.createObservableGauge('chat.sessions.live', { description: 'Sessions with a socket on this instance', unit: '{session}' });
  const rooms = m.createObservableGauge('chat.rooms.joined', { description: 'Chat rooms with a member on this instance', unit: '{room}' });
  const draining = m.createObservableGauge('chat.instance.draining', { description: '1 while this instance drains for shutdown', unit: '1' });
  const loopDelay = m.createObservableGauge('nodejs.eventloop.delay.p99', { description: 'Event loop delay, 99th percentile over the export interval', unit: 's' });
  const loopDelayMax = m.createObservableGauge('nodejs.eventloop.delay.max', { description: 'Event loop delay, longest over the export interval', unit: 's' });

  const histogram = monitorEventLoopDelay({ resolution: 20 });
  histogram.enable();

  const observe = (result: BatchObservableResult) => {
    const local = io.of('/');
    const tokens = new Set<string>();
    for (const socket of local.sockets.values()) if (socket.data.session) tokens.add(socket.data.session.token);
    let joined = 0;
    for (const name of local.adapter.rooms.keys()) if (name.startsWith(ROOM_PREFIX)) joined += 1;
    result.observe(sockets, io.engine.clientsCount);
    result.observe(sessions, tokens.size);
    result.observe(rooms, joined);
    result.observe(draining, isDraining() ? 1 : 0);
    result.observe(loopDelay, histogram.percentile(99) / 1e9);
    result.observe(loopDelayMax, histogram.max / 1e9);
    histogram.reset();
  };
  const observables = [sockets, sessions, rooms, draining, loopDelay, loopDelayMax];
  m.addBatchObservableCallback(observe, observables);
  return () => {
    m.removeBatchObservableCallback(observe, observables);
    histogram.disable();
  };
}
