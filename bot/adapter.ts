/**
 * The Bot Framework transport: botbuilder's CloudAdapter with ConfigurationBotFrameworkAuthentication.
 * With MicrosoftAppId configured every request must carry a valid Bot Framework token (else 401);
 * without one (local mode) the adapter accepts the local Agents Playground anonymously.
 * botbuilder types stay inside bot/ so that moving to the Agents SDK touches one folder.
 */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type Request,
  type Response,
  type TurnContext
} from 'botbuilder';
import type { Logger } from 'pino';

export interface AdapterSettings {
  appId?: string;
  appPassword?: string;
  tenantId?: string;
  appType?: string;
  /**
   * Where channel tokens' signing keys and issuer come from. Defaults are the Bot Framework's public
   * ones; tests point them at a local OpenID metadata server to exercise the token checks offline.
   */
  openIdMetadataUrl?: string;
  tokenIssuer?: string;
}

export function createAdapter(settings: AdapterSettings, logger: Logger): CloudAdapter {
  const auth: ConfigurationBotFrameworkAuthenticationOptions = {};
  if (settings.appId) {
    auth.MicrosoftAppId = settings.appId;
    auth.MicrosoftAppPassword = settings.appPassword;
    auth.MicrosoftAppTenantId = settings.tenantId;
    auth.MicrosoftAppType = settings.appType ?? 'SingleTenant';
  }
  if (settings.openIdMetadataUrl) {
    auth.ToBotFromChannelOpenIdMetadataUrl = settings.openIdMetadataUrl;
  }
  if (settings.tokenIssuer) {
    auth.ToBotFromChannelTokenIssuer = settings.tokenIssuer;
  }
  // `new CloudAdapter()` with no argument crashes on the first request: always pass the auth object.
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(auth));
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    // The last-resort handler: log without personal data, tell the user in their language.
    logger.error({ err: { message: error.message, name: error.name, stack: error.stack }, activityType: context.activity.type }, 'turn failed');
    const en = (context.activity.locale ?? '').toLowerCase().startsWith('en');
    await context
      .sendActivity(
        en
          ? 'Something went wrong on our side. Nothing was sent. Please try again; if it keeps happening, call the unit directly.'
          : 'Något gick fel hos oss. Inget har skickats. Försök igen; om det upprepas, ring enheten direkt.'
      )
      .catch(() => undefined);
  };
  return adapter;
}

/**
 * Hands a request to the adapter. botbuilder answers 500 when a token fails signature checks
 * (jsonwebtoken's JsonWebTokenError is not mapped to its AuthenticationError); any failure before
 * the turn logic ran is an authentication/parsing failure, so it is answered 401 here.
 */
export async function processActivity(
  adapter: CloudAdapter,
  req: Request,
  res: Response,
  logic: (context: TurnContext) => Promise<void>
): Promise<void> {
  let turnStarted = false;
  const originalStatus = res.status.bind(res);
  res.status = (code: number) => originalStatus(code === 500 && !turnStarted ? 401 : code);
  await adapter.process(req, res, async (context) => {
    turnStarted = true;
    await logic(context);
  });
}
