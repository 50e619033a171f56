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
  type TurnContext
} from 'botbuilder';
import type { Logger } from 'pino';

export interface AdapterSettings {
  appId?: string;
  appPassword?: string;
  tenantId?: string;
  appType?: string;
}

export function createAdapter(settings: AdapterSettings, logger: Logger): CloudAdapter {
  const auth: ConfigurationBotFrameworkAuthenticationOptions = {};
  if (settings.appId) {
    auth.MicrosoftAppId = settings.appId;
    auth.MicrosoftAppPassword = settings.appPassword;
    auth.MicrosoftAppTenantId = settings.tenantId;
    auth.MicrosoftAppType = settings.appType ?? 'SingleTenant';
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
