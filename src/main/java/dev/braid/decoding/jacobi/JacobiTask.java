package dev.braid.decoding.jacobi;

import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.Lane;
import dev.braid.decoding.LaneTask;
import dev.braid.decoding.Sequence;
import dev.braid.decoding.TokenDecoder;

final class JacobiTask extends LaneTask {

    JacobiTask(GenerationRequest request, TokenDecoder decoder, GenerationListener listener) {
        super(request, decoder, listener);
    }

    @Override
    public String strategy() {
        return JacobiStrategy.NAME;
    }

    @Override
    protected Lane newLane(Sequence sequence, long seed) {
        return new JacobiLane(sequence, cache, decoder, contextLength, request.strategyParams().jacobi(), seed);
    }
}
