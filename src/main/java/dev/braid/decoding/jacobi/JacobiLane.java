package dev.braid.decoding.jacobi;

import dev.braid.decoding.Lane;
import dev.braid.decoding.Sequence;
import dev.braid.decoding.StepRoom;
import dev.braid.decoding.TokenDecoder;
import dev.braid.kv.PagedKvCache;
import dev.braid.model.StepMask;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One sequence under Jacobi decoding. The guess holds the tokens expected at the positions after the
 * current one; a step feeds them causally behind the pending tokens, so prediction {@code i} is what
 * greedy decoding would emit if guesses {@code 0..i-1} were right. Guesses that equal the prediction
 * before them are therefore exact, and the first mismatch's prediction is exact too.
 */
final class JacobiLane extends Lane {

    private final JacobiParams params;
    private final SplittableRandom random;
    private int[] guess;
    private int pendingCount;
    private int fed;

    JacobiLane(Sequence sequence, PagedKvCache cache, TokenDecoder decoder, int contextLength, JacobiParams params,
               long seed) {
        super(sequence, cache, decoder, contextLength);
        this.params = params;
        this.random = new SplittableRandom(seed);
        this.guess = refill(new int[0]);
    }

    @Override
    public StepPlan plan(StepRoom room) {
        int[] pending = sequence.pending();
        pendingCount = pending.length;
        // sampling keeps plain autoregressive steps: greedy guesses say nothing about a sampled token
        fed = greedy() ? Math.min(room.spareCompute() ? params.blockSize() : 0,
                guessLimit()) : 0;
        if (fed > 0 && !fits(room, pendingCount + fed)) {
            fed = 0;
        }
        int[] tokens = Arrays.copyOf(pending, pendingCount + fed);
        System.arraycopy(guess, 0, tokens, pendingCount, fed);
        int[] positions = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            positions[i] = sequence.table().length() + i;
        }
        return new StepPlan(sequence.table(), tokens, positions, StepMask.CAUSAL, pendingCount - 1);
    }

    @Override
    public int[] consume(StepOutput output, int plan) {
        if (fed == 0) {
            int token = greedy() ? output.argmax(plan, 0) : sequence.sampler().sample(output.logits(plan, 0));
            int[] accepted = acceptRun(new int[] {token});
            if (!sequence.finished()) {
                output.commitPrefix(cache, plan, pendingCount);
            }
            return accepted;
        }
        int[] predicted = new int[fed + 1];
        for (int i = 0; i <= fed; i++) {
            predicted[i] = output.argmax(plan, i);
        }
        int matched = 0;
        while (matched < fed && guess[matched] == predicted[matched]) {
            matched++;
        }
        int[] run = Arrays.copyOf(guess, matched + 1);
        run[matched] = predicted[matched];
        int[] accepted = acceptRun(run);
        if (!sequence.finished()) {
            output.commitPrefix(cache, plan, pendingCount + matched);
            // the predictions past the accepted run were made from a wrong prefix, but they are the
            // refined guesses Jacobi iteration carries into the next step
            guess = refill(Arrays.copyOfRange(predicted, matched + 1, fed + 1));
        }
        return accepted;
    }

    /** Tops the guess up to the block size with tokens drawn from the text so far. */
    private int[] refill(int[] kept) {
        int[] text = sequence.tokens(0);
        int[] full = Arrays.copyOf(kept, Math.max(params.blockSize(), kept.length));
        for (int i = kept.length; i < full.length; i++) {
            full[i] = text[random.nextInt(text.length)];
        }
        return full;
    }
}
