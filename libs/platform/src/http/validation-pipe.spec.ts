import type { ValidationError } from '@nestjs/common';
import { toFieldErrors } from './validation-pipe';

describe('toFieldErrors', () => {
  it('flattens nested errors into JSON-pointer paths', () => {
    const errors: ValidationError[] = [
      { property: 'name', constraints: { minLength: 'name must be longer than or equal to 3 characters' }, children: [] },
      { property: 'limits', children: [{ property: 'max', constraints: { min: 'max must not be less than 1' }, children: [] }] },
      { property: 'a/b', constraints: { whitelistValidation: 'property a/b should not exist' }, children: [] },
    ];
    expect(toFieldErrors(errors)).toEqual([
      { path: '/name', message: 'must be longer than or equal to 3 characters' },
      { path: '/limits/max', message: 'must not be less than 1' },
      { path: '/a~1b', message: 'property a/b should not exist' },
    ]);
  });
});
