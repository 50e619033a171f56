/**
 * The Bot Framework transport: botbuilder's CloudAdapter with ConfigurationBotFrameworkAuthentication.
 * With MicrosoftAppId configured every request must carry a valid Bot Framework token (else 401);
 * without one (local mode) the adapter accepts the local Agents Playground anonymously.
 * botbuilder types stay inside bot/ so that moving to the Agents SDK touches one folder.
 */
import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type Activity,
  type Request,
  type Response,
  type TurnContext
} from 'botbuilder';
import type { Logger } from 'pino';
import { ETagConflictError } from '../store/stateStore';
import { langOf, t } from './texts';

/** The authentication of adapters that require a token (an app id is configured). */
const TOKEN_REQUIRED = new WeakMap<CloudAdapter, ConfigurationBotFrameworkAuthentication>();

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
  const authentication = new ConfigurationBotFrameworkAuthentication(auth);
  const adapter = new CloudAdapter(authentication);
  if (settings.appId) {
    TOKEN_REQUIRED.set(adapter, authentication);
  }
  adapter.onTurnError = turnErrorHandler(logger);
  return adapter;
}

/** The conversation state was written by another turn since this one read it (eTag mismatch). */
export function isStateConflict(error: unknown): boolean {
  return (
    error instanceof ETagConflictError ||
    (error instanceof Error && (error.name === 'ETagConflictError' || /due to eTag conflict/i.test(error.message)))
  );
}

/**
 * The last-resort handler: log without personal data, tell the user in their language. A state
 * conflict (two instances handling a double click on the same card at once; the other one's write
 * stands) is answered "already handled"; any other error gets the generic text.
 */
export function turnErrorHandler(logger: Logger): (context: TurnContext, error: Error) => Promise<void> {
  return async (context, error) => {
    const lang = langOf(context.activity.locale);
    if (isStateConflict(error)) {
      logger.warn({ activityType: context.activity.type }, 'turn lost a conversation state race: card already handled');
      const text = t(lang, 'cardAlreadyHandled');
      if (context.activity.type === ActivityTypes.Invoke && context.activity.name === 'adaptiveCard/action') {
        // This turn's own answer (a card built on state that was not saved) must not replace the card.
        await context
          .sendActivity({
            type: ActivityTypes.InvokeResponse,
            value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text } }
          })
          .catch(() => undefined);
        return;
      }
      await context.sendActivity(text).catch(() => undefined);
      return;
    }
    logger.error({ err: { message: error.message, name: error.name, stack: error.stack }, activityType: context.activity.type }, 'turn failed');
    await context.sendActivity(t(lang, 'turnFailed')).catch(() => undefined);
  };
}

/**
 * What is wrong with a request body as an activity, or undefined when it has the minimal shape the
 * adapter and the bot rely on: an object with a `type`, a `conversation.id` and a `serviceUrl`
 * (`from` may be missing: such a turn is refused politely by the bot, as nobody).
 */
export function activityProblem(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return 'the body is not a JSON object (a Bot Framework activity)';
  }
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || a.type.trim() === '') {
    return 'the activity has no type';
  }
  const conv = a.conversation as Record<string, unknown> | null | undefined;
  if (!conv || typeof conv !== 'object' || typeof conv.id !== 'string' || conv.id === '') {
    return 'the activity has no conversation.id';
  }
  if (typeof a.serviceUrl !== 'string' || a.serviceUrl === '') {
    return 'the activity has no serviceUrl';
  }
  if (a.from !== undefined && a.from !== null && (typeof a.from !== 'object' || Array.isArray(a.from))) {
    return 'the activity has a malformed from';
  }
  return undefined;
}

function answer(res: Response, status: number, body: object): void {
  res.status(status);
  res.header('content-type', 'application/json');
  res.send(body);
  res.end();
}

/**
 * Hands a request to the adapter. botbuilder answers 500 when a token fails signature checks
 * (jsonwebtoken's JsonWebTokenError is not mapped to its AuthenticationError); any failure before
 * the turn logic ran is an authentication/parsing failure, so it is answered 401 here.
 *
 * A body that is not a minimal activity (activityProblem) is answered 400 with the reason, before
 * botbuilder sees it. With an app id configured authentication comes first: such a body without a
 * valid token is 401, as every other unauthenticated request. In local mode (no token) the shape is
 * checked at once.
 */
export async function processActivity(
  adapter: CloudAdapter,
  req: Request,
  res: Response,
  logic: (context: TurnContext) => Promise<void>
): Promise<void> {
  const problem = activityProblem(req.body);
  if (problem) {
    const auth = TOKEN_REQUIRED.get(adapter);
    if (auth) {
      const header = req.headers.authorization ?? req.headers.Authorization;
      const ok = await auth
        .authenticateRequest(req.body as unknown as Activity, typeof header === 'string' ? header : '')
        .then(() => true)
        .catch(() => false);
      if (!ok) {
        answer(res, 401, { error: 'unauthorized', message: 'a valid Bot Framework token is required' });
        return;
      }
    }
    answer(res, 400, { error: 'bad activity', message: problem });
    return;
  }
  let turnStarted = false;
  const originalStatus = res.status.bind(res);
  res.status = (code: number) => originalStatus(code === 500 && !turnStarted ? 401 : code);
  await adapter.process(req, res, async (context) => {
    turnStarted = true;
    await logic(context);
  });
}
