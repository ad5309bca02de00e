/** Types of scripts/pinned-node.mjs, for the TypeScript that imports it. */
export declare const PINNED: Record<'22' | '24', { version: string; integrity: string }>;
export declare function pinnedNode(line: '22' | '24'): string;
