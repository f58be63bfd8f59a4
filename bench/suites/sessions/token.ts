/** The bearer token the sessions suite sends (both contenders get it; only one checks it). */
export const BENCH_TOKEN = 'bench-token-0123456789'
