package dev.braid.decoding;

/**
 * What one lane may spend in the coming step.
 *
 * @param spareCompute whether the step has compute to spare for guesses (the worker's guessing limit)
 * @param freeBlocks   KV blocks still free once the lanes planned before this one have reserved theirs
 */
public record StepRoom(boolean spareCompute, int freeBlocks) {
}
