/**
 * Synchronous publish/subscribe between components. Handlers run in subscription order, inside the
 * publisher's call, so the whole chain (fill → portfolio → strategy) completes before the next event:
 * that is what keeps the core deterministic.
 *
 * @example
 * const bus = new MessageBus<{ 'order.filled': Fill }>();
 * bus.subscribe('order.filled', (f) => portfolio.applyFill(f));
 */
export class MessageBus<Topics extends Record<string, unknown>> {
  private handlers: { [K in keyof Topics]?: Array<(msg: Topics[K]) => void> } = {};

  subscribe<K extends keyof Topics>(topic: K, handler: (msg: Topics[K]) => void): () => void {
    const list = (this.handlers[topic] ??= []);
    list.push(handler);
    return () => {
      const i = list.indexOf(handler);
      if (i >= 0) list.splice(i, 1);
    };
  }

  publish<K extends keyof Topics>(topic: K, msg: Topics[K]): void {
    const list = this.handlers[topic];
    if (!list) return;
    for (let i = 0; i < list.length; i++) list[i](msg);
  }

  hasSubscribers(topic: keyof Topics): boolean {
    return (this.handlers[topic]?.length ?? 0) > 0;
  }
}
