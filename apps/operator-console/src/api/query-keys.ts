/** Every react-query key of the console, so invalidation never depends on a retyped array. */
export const queryKeys = {
  bff: {
    all: ['bff'] as const,
    upstreams: () => [...queryKeys.bff.all, 'upstreams'] as const,
  },
} as const;
