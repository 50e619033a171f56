import { strict as assert } from 'node:assert';
// model.ts holds types only; loading it lets coverage see that it compiles to nothing that can fail.
import * as model from '../../../core/model';
import type { EmploymentForm, ShiftKind } from '../../../core/model';

describe('core/model', () => {
  it('is types only (no runtime exports)', () => {
    assert.deepEqual(Object.keys(model), []);
    const forms: EmploymentForm[] = ['Tillsvidare', 'Månadsanställd', 'Timanställd'];
    const kinds: ShiftKind[] = ['kvall', 'natt', 'helgdag'];
    assert.equal(forms.length + kinds.length, 6);
  });
});
