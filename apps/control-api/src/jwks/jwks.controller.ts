import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { JWK } from 'jose';
import { Access, KeyRing } from '@orch/auth';

@ApiTags('auth')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: KeyRing) {}

  /** Public keys of every signing key in the ring, active and still-accepted previous ones. */
  @Get('jwks.json')
  @Access('jwks.read')
  @Header('cache-control', 'public, max-age=300')
  @ApiOkResponse({ description: 'JSON Web Key Set (Ed25519, alg EdDSA)' })
  jwks(): { keys: JWK[] } {
    return this.keys.jwks();
  }
}
