/**
 * A registry checks what each method needs when it is built (src/methods/registry.ts): a shared engine's capability
 * (src/methods/engines/capabilities.ts), what a method registered before it provides, or a method registered before it;
 * otherwise it refuses the method with a MethodRegistrationError naming it and the first need missing.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { MethodRegistrationError } from '../../src/methods/manifest.js';
import type { MarginMethodPlugin } from '../../src/methods/method.js';
import { BUILT_IN_MANIFESTS, BUILT_IN_METHODS, MethodRegistry } from '../../src/methods/registry.js';

const cross = BUILT_IN_METHODS.find((m) => m.name === 'cross')!;
/** A method that margins as cross does, under another name and with the given needs and provisions. */
const like = (name: string, extra: Pick<MarginMethodPlugin, 'needs' | 'provides'>): MarginMethodPlugin => ({ ...cross, name, ...extra });

function refusal(methods: readonly MarginMethodPlugin[]): MethodRegistrationError {
  try {
    new MethodRegistry(methods);
  } catch (e) {
    expect(e).toBeInstanceOf(MethodRegistrationError);
    return e as MethodRegistrationError;
  }
  throw new Error('the registry took the methods');
}

describe('registration checks what a method needs', () => {
  it('the built-in methods: each need is met by the shared engines (and portfolio, var and deribit say which)', () => {
    expect(new MethodRegistry().names).toEqual(BUILT_IN_MANIFESTS.map((m) => m.plugin.name));
    const needs = Object.fromEntries(BUILT_IN_METHODS.map((m) => [m.name, m.needs?.capabilities ?? []]));
    expect(needs.portfolio).toEqual(['scenario-grid', 'rule-based']);
    expect(needs.deribit).toEqual(['scenario-grid']);
    expect(needs.var).toEqual(['rule-based']);
  });

  it('a capability nothing provides: refused, naming the method and the capability', () => {
    const e = refusal([cross, like('house', { needs: { capabilities: ['rule-based', 'order-book'] } })]);
    expect([e.method, e.missing]).toEqual(['house', 'capability order-book']);
    expect(e.message).toContain('margin method "house" needs the capability "order-book"');
  });

  it('a capability a method provides counts for the methods after it, not before', () => {
    const provider = like('provider', { provides: ['order-book'] });
    const user = like('user', { needs: { capabilities: ['order-book'] } });
    expect(new MethodRegistry([cross, provider, user]).names).toEqual(['cross', 'provider', 'user']);
    expect(refusal([cross, user, provider]).missing).toBe('capability order-book');
  });

  it('a method it needs must be registered before it', () => {
    const overlay = like('overlay', { needs: { methods: ['portfolio'] } });
    expect(new MethodRegistry([...BUILT_IN_METHODS, overlay]).names.at(-1)).toBe('overlay');
    const e = refusal([cross, overlay]);
    expect([e.method, e.missing]).toEqual(['overlay', 'method portfolio']);
    expect(e.message).toContain('registered: cross');
  });

  it('two methods of one name: refused with no missing need', async () => {
    const e = refusal([cross, cross]);
    expect([e.method, e.missing, e.message]).toEqual(['cross', null, 'two margin methods are named "cross"']);
    await expect(createEngine({ backend: 'js', methods: [cross, like('x', { needs: { capabilities: ['nothing'] } })] })).rejects.toThrow(MethodRegistrationError);
  });
});
