import { Body, Controller, Header, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '@orch/auth';
import { clientCredentialsOf } from './client-credentials';
import { OAuthTokenRequestDto, OAuthTokenResponse } from './dto/oauth-token.dto';
import { OAuthTokenService } from './oauth-token.service';

@ApiTags('auth')
@Controller('v1/oauth')
export class OAuthTokenController {
  constructor(private readonly tokens: OAuthTokenService) {}

  /** OAuth2 client credentials: a service token for a service identity. Form or JSON; credentials in the body or HTTP Basic. */
  @Post('token')
  @HttpCode(200)
  @Access('oauth.token')
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ type: OAuthTokenResponse })
  async token(@Body() body: OAuthTokenRequestDto, @Headers('authorization') authorization: string | undefined): Promise<OAuthTokenResponse> {
    const minted = await this.tokens.mint(clientCredentialsOf(body, authorization), body.scope);
    return { access_token: minted.accessToken, token_type: 'Bearer', expires_in: minted.expiresIn, scope: minted.scope };
  }
}
