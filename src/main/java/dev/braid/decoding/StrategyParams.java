package dev.braid.decoding;

import dev.braid.decoding.apar.AparBranching;
import dev.braid.decoding.jacobi.JacobiParams;
import dev.braid.decoding.lookahead.LookaheadParams;
import java.util.Objects;

/**
 * Per-request settings of the parallel strategies. A request carries one for every strategy, since
 * the strategy may be chosen after the request is written ({@code auto}); each strategy reads its own.
 */
public record StrategyParams(LookaheadParams lookahead, JacobiParams jacobi, AparBranching apar) {

    public static final StrategyParams DEFAULTS = new StrategyParams(LookaheadParams.DEFAULT, JacobiParams.DEFAULT,
            AparBranching.DEFAULT);

    public StrategyParams {
        Objects.requireNonNull(lookahead, "lookahead");
        Objects.requireNonNull(jacobi, "jacobi");
        Objects.requireNonNull(apar, "apar");
    }

    public StrategyParams withLookahead(LookaheadParams params) {
        return new StrategyParams(params, jacobi, apar);
    }

    public StrategyParams withJacobi(JacobiParams params) {
        return new StrategyParams(lookahead, params, apar);
    }

    public StrategyParams withApar(AparBranching params) {
        return new StrategyParams(lookahead, jacobi, params);
    }
}
