package dev.braid.decoding;

import dev.braid.decoding.jacobi.JacobiParams;
import dev.braid.decoding.lookahead.LookaheadParams;
import java.util.Objects;

/**
 * Per-request settings of the parallel strategies. A request carries one for every strategy, since
 * the strategy may be chosen after the request is written ({@code auto}); each strategy reads its own.
 */
public record StrategyParams(LookaheadParams lookahead, JacobiParams jacobi) {

    public static final StrategyParams DEFAULTS = new StrategyParams(LookaheadParams.DEFAULT, JacobiParams.DEFAULT);

    public StrategyParams {
        Objects.requireNonNull(lookahead, "lookahead");
        Objects.requireNonNull(jacobi, "jacobi");
    }

    public StrategyParams withLookahead(LookaheadParams params) {
        return new StrategyParams(params, jacobi);
    }

    public StrategyParams withJacobi(JacobiParams params) {
        return new StrategyParams(lookahead, params);
    }
}
