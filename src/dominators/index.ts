/**
 * Dominators of the output and the collapse of a layer DAG into a chain of
 * groups (IONN §5.3).
 *
 * @module
 */
export { dominatorTree, dominatorsOf } from "./dominator-tree.js";
export { collapseByDominators } from "./collapse.js";
