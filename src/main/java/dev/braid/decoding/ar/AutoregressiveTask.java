package dev.braid.decoding.ar;

import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.Sampler;
import dev.braid.decoding.Sequence;
import dev.braid.model.Tokenizer;
import dev.braid.decoding.TokenLogprobs;
import dev.braid.kv.BlockTable;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * Autoregressive decoding of {@code n} sequences. The prompt is prefilled once; with {@code n > 1}
 * the other sequences are forked from it, sharing the prompt's blocks, and each samples with its
 * own seeded sampler.
 */
final class AutoregressiveTask extends DecodingTask {

    private final List<Sequence> sequences = new ArrayList<>();
    private final List<Integer> planned = new ArrayList<>();
    /** Log-probabilities of the token {@link #next} just chose, reported when it is accepted. */
    private TokenLogprobs pendingLogprobs;

    AutoregressiveTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener) {
        super(request, tokenizer, listener);
    }

    @Override
    public String strategy() {
        return AutoregressiveStrategy.NAME;
    }

    @Override
    public boolean supportsLogprobs() {
        return true;
    }

    @Override
    protected void onStart() {
        sequences.add(new Sequence(request.promptIds(), new Sampler(request.sampling(), seed), request.stop(),
                contextLength, kv.newSequence(request.promptIds())));
    }

    @Override
    public List<StepPlan> plan() {
        planned.clear();
        List<StepPlan> plans = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            Sequence sequence = sequences.get(i);
            if (!sequence.finished()) {
                planned.add(i);
                plans.add(StepPlan.append(sequence.table(), sequence.pending()));
            }
        }
        return plans;
    }

    @Override
    public void consume(StepOutput output, int firstPlan) {
        boolean prefill = sequences.size() == 1 && sequences.get(0).generatedCount() == 0;
        for (int p = 0; p < planned.size(); p++) {
            Sequence sequence = sequences.get(planned.get(p));
            output.commitPrefix(firstPlan + p, sequence.pending().length);
        }
        if (prefill && request.n() > 1) {
            Sequence root = sequences.get(0);
            for (int i = 1; i < request.n(); i++) {
                BlockTable child = kv.fork(root.table());
                sequences.add(root.fork(child, new Sampler(request.sampling(), seed + i)));
            }
            for (int i = 0; i < sequences.size(); i++) {
                accept(i, next(sequences.get(i), output, firstPlan));
            }
            return;
        }
        for (int p = 0; p < planned.size(); p++) {
            int index = planned.get(p);
            accept(index, next(sequences.get(index), output, firstPlan + p));
        }
    }

    private int next(Sequence sequence, StepOutput output, int plan) {
        int token = sequence.sampler().next(output, plan, 0);
        if (logprobsTop() >= 0) {
            pendingLogprobs = TokenLogprobs.of(output.logits(plan, 0), token, logprobsTop());
        }
        return token;
    }

    private void accept(int index, int token) {
        Sequence sequence = sequences.get(index);
        sequence.accept(token, tokenizer);
        if (pendingLogprobs != null) {
            listener.onLogprobs(index, new TokenLogprobs[] {pendingLogprobs});
            pendingLogprobs = null;
        }
        emitted(index, new int[] {token});
        if (sequence.finished()) {
            kv.free(sequence.table());
        }
    }

    @Override
    public List<Sequence> prefills() {
        return prefilling(sequences);
    }

    @Override
    public boolean finished() {
        for (Sequence sequence : sequences) {
            if (!sequence.finished()) {
                return false;
            }
        }
        return !sequences.isEmpty();
    }

    @Override
    protected List<GenerationResult.Completion> completions() {
        return sequences.stream().map(Sequence::completion).toList();
    }
}
