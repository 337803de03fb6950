package dev.braid.decoding;

/**
 * What one lane may spend in the coming step.
 *
 * @param runningTasks tasks sharing the step; parallel strategies add fewer guesses when it is high
 * @param freeBlocks   KV blocks still free once the lanes planned before this one have reserved theirs
 */
public record StepRoom(int runningTasks, int freeBlocks) {
}
