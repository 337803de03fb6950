package dev.braid.cli;

import dev.braid.decoding.DecodingStrategy;

/**
 * One column of a bench comparison: a strategy on an engine, and for SGD the engine its easy
 * points go to (null when none).
 */
record BenchTarget(String label, DecodingStrategy strategy, BenchEngine engine, BenchEngine draft) {
}
