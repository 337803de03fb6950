package dev.braid.decoding;

/**
 * What one lane may spend in the coming step.
 *
 * @param price      what guessed tokens cost this step (the worker's measured step cost and batch)
 * @param freeBlocks KV blocks still free once the lanes planned before this one have reserved theirs
 */
public record StepRoom(StepPrice price, int freeBlocks) {
}
