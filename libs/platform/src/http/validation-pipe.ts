import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError, type FieldError, toJsonPointer } from '@orch/contracts';

/** Flattens class-validator's error tree into JSON-Pointer field errors. */
export function toFieldErrors(errors: ValidationError[], parent: Array<string | number> = []): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const path = [...parent, error.property];
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({ path: toJsonPointer(path), message: message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message });
    }
    if (error.children?.length) out.push(...toFieldErrors(error.children, path));
  }
  return out;
}

/** DTO validation for every app: unknown fields rejected, values transformed, errors per field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new DomainError('VALIDATION_FAILED', 'Request validation failed', { details: toFieldErrors(errors) }),
  });
}
