package dev.braid.cli;

import dev.braid.decoding.StrategyParams;
import dev.braid.decoding.apar.AparBranching;
import dev.braid.decoding.jacobi.JacobiParams;
import dev.braid.decoding.lookahead.LookaheadParams;
import java.util.List;

/**
 * The parallel strategies' flags shared by {@code generate} and {@code bench}. Bounds come from the
 * parameter records, so an out-of-range flag is a usage error naming the flag.
 */
final class StrategyOptions {

    static final List<Option> OPTIONS = List.of(
            Option.valued("window", "W", "lookahead's window: guesses per step, 1-" + LookaheadParams.MAX_WINDOW)
                    .defaults(LookaheadParams.DEFAULT.window()),
            Option.valued("ngram", "N", "lookahead's n-gram size, " + LookaheadParams.MIN_NGRAM + "-"
                    + LookaheadParams.MAX_NGRAM).defaults(LookaheadParams.DEFAULT.ngram()),
            Option.valued("candidates", "G", "lookahead's n-grams verified per step, 1-" + LookaheadParams.MAX_CANDIDATES)
                    .defaults(LookaheadParams.DEFAULT.candidates()),
            Option.valued("jacobi-block", "n", "Jacobi's block of guessed tokens, 1-" + JacobiParams.MAX_BLOCK_SIZE)
                    .defaults(JacobiParams.DEFAULT.blockSize()),
            Option.valued("apar-branches", "B", "APAR's live branches at once, its root included, 1-"
                    + AparBranching.MAX_LIVE_BRANCHES).defaults(AparBranching.DEFAULT.maxLiveBranches()));

    private StrategyOptions() {
    }

    static StrategyParams params(Options options) {
        return new StrategyParams(
                new LookaheadParams(
                        options.integer("window", 1, LookaheadParams.MAX_WINDOW),
                        options.integer("ngram", LookaheadParams.MIN_NGRAM, LookaheadParams.MAX_NGRAM),
                        options.integer("candidates", 1, LookaheadParams.MAX_CANDIDATES),
                        LookaheadParams.DEFAULT.textNgrams()),
                new JacobiParams(options.integer("jacobi-block", 1, JacobiParams.MAX_BLOCK_SIZE)),
                new AparBranching(options.integer("apar-branches", 1, AparBranching.MAX_LIVE_BRANCHES)));
    }
}
