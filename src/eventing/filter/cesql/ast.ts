// CESQL syntax tree produced by the parser and walked by the evaluator.
// Every node records the 0-based source offset that errors about it point to.

import type { CesqlFunction } from './functions.js';
import type { LikePattern } from './like.js';
import type { CesqlValue } from './values.js';

export type BinaryOperator =
  | '*' | '/' | '%' | '+' | '-'
  | '=' | '!=' | '<>' | '<' | '<=' | '>' | '>='
  | 'AND' | 'OR' | 'XOR';

export type CesqlNode =
  | { readonly kind: 'literal'; readonly value: CesqlValue; readonly position: number }
  | { readonly kind: 'attribute'; readonly name: string; readonly position: number }
  | { readonly kind: 'exists'; readonly name: string; readonly position: number }
  | { readonly kind: 'not'; readonly operand: CesqlNode; readonly position: number }
  | { readonly kind: 'negate'; readonly operand: CesqlNode; readonly position: number }
  | {
      readonly kind: 'binary';
      readonly operator: BinaryOperator;
      readonly left: CesqlNode;
      readonly right: CesqlNode;
      readonly position: number;
    }
  | {
      readonly kind: 'like';
      readonly operand: CesqlNode;
      readonly pattern: LikePattern;
      readonly negated: boolean;
      readonly position: number;
    }
  | {
      readonly kind: 'in';
      readonly operand: CesqlNode;
      readonly set: readonly CesqlNode[];
      readonly negated: boolean;
      readonly position: number;
    }
  | {
      readonly kind: 'call';
      /** Upper-cased name as written. */
      readonly name: string;
      /** The overload chosen by name and arity at parse time; undefined means MissingFunctionError at evaluation. */
      readonly fn: CesqlFunction | undefined;
      readonly args: readonly CesqlNode[];
      readonly position: number;
    };
