package dev.braid.decoding.lookahead;

import dev.braid.decoding.GenerationResult;
import java.util.List;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.Lane;
import dev.braid.decoding.LaneTask;
import dev.braid.decoding.Sequence;
import dev.braid.model.Tokenizer;

final class LookaheadTask extends LaneTask {

    LookaheadTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener) {
        super(request, tokenizer, listener);
    }

    @Override
    public String strategy() {
        return LookaheadStrategy.NAME;
    }

    @Override
    public GenerationResult result() {
        GenerationResult result = super.result();
        List<List<LookaheadTrace.Step>> steps = lanes().stream().map(lane -> ((LookaheadLane) lane).trace()).toList();
        return result.withTrace(new LookaheadTrace(steps, result.completionTokens()));
    }

    @Override
    protected Lane newLane(Sequence sequence, long seed) {
        return new LookaheadLane(sequence, kv, tokenizer, contextLength, request.strategyParams().lookahead(), seed);
    }
}
