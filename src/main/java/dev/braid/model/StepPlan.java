package dev.braid.model;

import dev.braid.kv.BlockTable;

/**
 * One sequence's work for one forward pass: the query tokens, their positions, the cached context
 * they attend (the block table up to its committed length) and the intra-step mask.
 *
 * @param logitsFrom index of the first query token whose logits the planner reads; tokens before
 *                   it only produce K/V (a prompt's prefix during prefill)
 */
public record StepPlan(BlockTable table, int[] tokens, int[] positions, StepMask mask, int logitsFrom) {

    public StepPlan {
        if (tokens.length == 0 || tokens.length != positions.length) {
            throw new IllegalArgumentException("a step plan needs as many positions as tokens, at least one");
        }
        if (logitsFrom < 0 || logitsFrom >= tokens.length) {
            throw new IllegalArgumentException("logitsFrom " + logitsFrom + " outside the " + tokens.length + " query tokens");
        }
    }

    /** Consecutive tokens right after the cached context, causal, logits for the last one only. */
    public static StepPlan append(BlockTable table, int[] tokens) {
        int[] positions = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            positions[i] = table.length() + i;
        }
        return new StepPlan(table, tokens, positions, StepMask.CAUSAL, tokens.length - 1);
    }

    public int queryCount() {
        return tokens.length;
    }

    public int logitCount() {
        return tokens.length - logitsFrom;
    }

    public StepPlan withAllLogits() {
        return new StepPlan(table, tokens, positions, mask, 0);
    }
}
