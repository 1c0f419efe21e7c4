import 'reflect-metadata';

const SECRET_KEYS = Symbol('orch:config-secret-keys');

/** Marks a config property as secret: it is never printed, logged or returned. */
export function Secret(): PropertyDecorator {
  return (target, propertyKey) => {
    const keys: Set<string | symbol> = Reflect.getMetadata(SECRET_KEYS, target) ?? new Set();
    keys.add(propertyKey);
    Reflect.defineMetadata(SECRET_KEYS, keys, target);
  };
}

export function secretKeysOf(config: object): ReadonlySet<string | symbol> {
  return Reflect.getMetadata(SECRET_KEYS, Object.getPrototypeOf(config)) ?? new Set();
}
