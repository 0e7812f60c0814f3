/** The part of autocannon's API bench/live.ts and bench/service.ts use (the package ships no types). */
declare module 'autocannon' {
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    overallRate?: number;
    connectionRate?: number;
    headers?: Record<string, string>;
    requests?: { method?: string; path?: string; body?: string }[];
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    non2xx: number;
    errors: number;
    '2xx': number;
  }
  /** The run: a promise of its result, and an emitter of each `response` (client, status, bytes, ms as a fraction). */
  interface Tracker extends Promise<Result> {
    on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): Tracker;
  }
  function autocannon(options: Options): Tracker;
  export default autocannon;
}
