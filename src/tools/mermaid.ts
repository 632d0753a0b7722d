/**
 * Draws a state machine as a Mermaid state diagram, from the machine
 * definition itself, so the README's diagrams cannot drift from the code.
 */
import type { AnyStateMachine } from 'xstate';

interface Node {
  key: string;
  id: string;
  type: string;
  path: string[];
  parent?: Node;
  states: Record<string, Node>;
  transitions: Map<string, Transition[]>;
  always?: Transition[];
  initial?: { target: readonly Node[] };
}

interface Transition {
  eventType: string;
  target?: readonly Node[];
  guard?: unknown;
  description?: string;
}

/** How an event reads on an edge. */
function eventLabel(eventType: string): string {
  if (eventType === 'ari.hangup' || eventType === 'ari.stasisEnd') return 'hang-up';
  if (eventType.startsWith('xstate.done.actor')) return 'done';
  if (eventType.startsWith('xstate.error.actor')) return 'error';
  if (eventType.startsWith('xstate.done.state')) return 'done';
  const after = /^xstate\.after\.(.+?)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  return eventType.replace(/^ari\./, '');
}

function guardLabel(guard: unknown): string | undefined {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function' && guard.name && guard.name !== 'guard') return guard.name;
  if (guard && typeof guard === 'object' && 'type' in guard && typeof (guard).type === 'string') return (guard as { type: string }).type;
  return undefined;
}

function edgeLabel(t: Transition): string {
  if (t.description) return t.description;
  const event = eventLabel(t.eventType);
  const guard = guardLabel(t.guard);
  // A key guard reads as the key itself: "#" rather than "dtmf [key #]".
  if (event === 'dtmf' && guard?.startsWith('key ')) return guard.slice(4);
  if (event === 'dtmf' && guard === 'digit') return '0-9';
  return guard ? `${event} [${guard}]` : event;
}

const idOf = (node: Node) => node.path.join('_') || 'root';
const safe = (text: string) => text.replace(/[:;"]/g, ' ').trim();

/** Renders `machine` as a `stateDiagram-v2` block (without the code fence). */
export function toMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  const root = machine.root as unknown as Node;
  const anywhere: string[] = [];

  const render = (node: Node, indent: string) => {
    const children = Object.values(node.states);
    const initial = node.initial?.target[0];
    if (initial) lines.push(`${indent}[*] --> ${idOf(initial)}`);
    for (const child of children) {
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state "${child.key}" as ${idOf(child)} {`);
        render(child, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${child.key}" as ${idOf(child)}`);
      }
      if (child.type === 'final') lines.push(`${indent}${idOf(child)} --> [*]`);
    }
    for (const child of children) edges(child, indent);
  };

  const edges = (node: Node, indent: string) => {
    const seen = new Set<string>();
    const all = [...[...node.transitions.values()].flat(), ...(node.always ?? []).map((t) => ({ ...t, eventType: 'always' }))];
    for (const t of all) {
      for (const target of t.target ?? []) {
        const label = t.eventType === 'always' ? (guardLabel(t.guard) ?? t.description ?? '') : edgeLabel(t);
        const line = `${indent}${idOf(node)} --> ${idOf(target)}${label ? `: ${safe(label)}` : ''}`;
        if (!seen.has(line)) lines.push(line);
        seen.add(line);
      }
    }
  };

  render(root, '  ');
  for (const [eventType, list] of root.transitions) {
    for (const t of list) for (const target of t.target ?? []) anywhere.push(`${eventLabel(eventType)} → ${target.key}`);
  }
  if (anywhere.length > 0) lines.push(`  note "${[...new Set(anywhere)].join(', ')} from any state that does not say otherwise" as anywhere`);
  return lines.join('\n');
}
