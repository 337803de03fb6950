package dev.braid.model;

/**
 * Which query tokens of one sequence's step see which other query tokens of the same step. Every
 * query token always sees the sequence's whole cached context; this only rules the step's own tokens.
 */
@FunctionalInterface
public interface StepMask {

    /** Each token sees itself and the tokens before it: plain prefill or a Jacobi block. */
    StepMask CAUSAL = (query, key) -> key <= query;

    boolean sees(int query, int key);
}
