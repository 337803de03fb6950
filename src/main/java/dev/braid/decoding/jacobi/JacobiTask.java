package dev.braid.decoding.jacobi;

import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.Lane;
import dev.braid.decoding.LaneTask;
import dev.braid.decoding.Sequence;
import dev.braid.model.Tokenizer;

final class JacobiTask extends LaneTask {

    JacobiTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener) {
        super(request, tokenizer, listener);
    }

    @Override
    public String strategy() {
        return JacobiStrategy.NAME;
    }

    @Override
    protected Lane newLane(Sequence sequence, long seed) {
        return new JacobiLane(sequence, kv, tokenizer, contextLength, request.strategyParams().jacobi(), seed);
    }
}
