/** The welcome card (install, "hej", "hjälp"), with the jourtid notice when it is not jourtid now. */
import { isJourtid } from '../../core/jourtid';
import type { Note } from '../../cards/render';
import { t } from '../texts';
import { card } from './views';
import type { FlowDeps, Reply, Turn } from './types';

export async function welcome(deps: FlowDeps, turn: Turn, showHelp: boolean): Promise<Reply> {
  const lang = turn.lang;
  const notes: Note[] = [];
  if (!isJourtid(deps.clock.now(), deps.settings.cal)) {
    notes.push(
      deps.settings.enforceJourtid ? { text: t(lang, 'outsideJourtid'), color: 'Attention' } : { text: t(lang, 'outsideJourtidWarning'), color: 'Warning' }
    );
  }
  return { kind: 'card', card: card('welcome', { notes, showHelp }, lang) };
}
