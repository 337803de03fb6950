package dev.braid.cli;

import dev.braid.decoding.StrategyParams;
import dev.braid.decoding.apar.AparBranching;
import dev.braid.decoding.jacobi.JacobiParams;
import dev.braid.decoding.lookahead.LookaheadParams;
import java.util.Set;

/**
 * The parallel strategies' flags shared by {@code generate} and {@code bench}. Bounds come from the
 * parameter records, so an out-of-range flag is a usage error naming the flag.
 */
final class StrategyOptions {

    static final Set<String> VALUED = Set.of("window", "ngram", "candidates", "jacobi-block", "apar-branches");

    static final String USAGE = "[--window W] [--ngram N] [--candidates G] [--jacobi-block n] [--apar-branches B]";

    private StrategyOptions() {
    }

    static StrategyParams params(Options options) {
        LookaheadParams lookahead = LookaheadParams.DEFAULT;
        JacobiParams jacobi = JacobiParams.DEFAULT;
        return new StrategyParams(
                new LookaheadParams(
                        options.integer("window", lookahead.window(), 1, LookaheadParams.MAX_WINDOW),
                        options.integer("ngram", lookahead.ngram(), LookaheadParams.MIN_NGRAM, LookaheadParams.MAX_NGRAM),
                        options.integer("candidates", lookahead.candidates(), 1, LookaheadParams.MAX_CANDIDATES),
                        lookahead.textNgrams()),
                new JacobiParams(options.integer("jacobi-block", jacobi.blockSize(), 1, JacobiParams.MAX_BLOCK_SIZE)),
                new AparBranching(options.integer("apar-branches", AparBranching.DEFAULT.maxLiveBranches(), 1,
                        AparBranching.MAX_LIVE_BRANCHES)));
    }
}
