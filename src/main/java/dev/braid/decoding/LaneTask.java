package dev.braid.decoding;

import dev.braid.kv.BlockTable;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import dev.braid.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A task whose {@code n} sequences each decode on their own {@link Lane}: the shape of the parallel
 * strategies, where every sequence keeps its own guesses. With {@code n > 1} and prefix caching, the
 * first lane prefills the prompt and the others start a step later from the cached prompt, so it is
 * computed once; without prefix caching each lane prefills its own copy.
 *
 * <p>Speculative plans reserve more positions than they commit; after each step the unused blocks
 * go back to the pool, so the blocks a task holds between steps are its committed context only.
 */
public abstract class LaneTask extends DecodingTask {

    private final List<Lane> lanes = new ArrayList<>();
    private final List<Integer> planned = new ArrayList<>();
    /** Lanes past the first that wait for its prefill to put the prompt in the prefix cache. */
    private final List<Lane> awaitingPrompt = new ArrayList<>();
    /** What the lanes planned this step expect to accept, by the guesses they chose. */
    private double expectedAccepted;

    protected LaneTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener) {
        super(request, tokenizer, listener);
    }

    /** The lane of one sequence; {@code seed} seeds both its sampler and its guesses. */
    protected abstract Lane newLane(Sequence sequence, long seed);

    @Override
    protected void onStart() {
        for (int i = 0; i < request.n(); i++) {
            boolean waits = i > 0 && kv.prefixCaching();
            // the same seeds as autoregressive decoding, so n = 1 samples with the same generator
            Sequence sequence = new Sequence(request.promptIds(), new Sampler(request.sampling(), seed + i),
                    request.stop(), contextLength, waits ? kv.newSequence() : kv.newSequence(request.promptIds()));
            Lane lane = newLane(sequence, seed + i);
            lanes.add(lane);
            if (waits) {
                awaitingPrompt.add(lane);
            }
        }
    }

    /** Once the first lane has the prompt in the cache, the others start from it. */
    private void startAwaitingLanes() {
        Sequence first = lanes.get(0).sequence();
        if (awaitingPrompt.isEmpty()
                || (!first.finished() && first.table().length() < request.promptIds().length - 1)) {
            return;
        }
        for (Lane lane : awaitingPrompt) {
            Sequence sequence = lane.sequence();
            kv.free(sequence.table());
            sequence.replaceTable(kv.newSequence(request.promptIds()));
        }
        awaitingPrompt.clear();
    }

    @Override
    public int admissionBlocks(int blockSize) {
        return request.n() * super.admissionBlocks(blockSize);
    }

    @Override
    public List<StepPlan> plan() {
        planned.clear();
        List<StepPlan> plans = new ArrayList<>();
        startAwaitingLanes();
        int free = kv.freeBlocks();
        StepPrice price = price();
        expectedAccepted = 0;
        for (int i = 0; i < lanes.size(); i++) {
            Lane lane = lanes.get(i);
            if (lane.sequence().finished() || awaitingPrompt.contains(lane)) {
                continue;
            }
            StepPlan plan = lane.planStep(new StepRoom(price, free));
            price = lane.plannedIn(price, plan);
            expectedAccepted += lane.expectedAccepted();
            free -= kv.blocksNeeded(plan.table(), plan.queryCount());
            planned.add(i);
            plans.add(plan);
        }
        return plans;
    }

    @Override
    protected double expectedAccepted(List<StepPlan> plans) {
        return expectedAccepted;
    }

    @Override
    public void consume(StepOutput output, int firstPlan) {
        for (int p = 0; p < planned.size(); p++) {
            int index = planned.get(p);
            Lane lane = lanes.get(index);
            int[] accepted = lane.consume(output, firstPlan + p);
            // its decoding tokens, the rows it reads logits of, as the step's price counts them
            lane.took(output.batch().plans().get(firstPlan + p).logitCount(), accepted.length);
            emitted(index, accepted);
            BlockTable table = lane.sequence().table();
            if (lane.sequence().finished()) {
                kv.free(table);
            } else {
                kv.trimReserved(table);
            }
        }
    }

    @Override
    public List<Sequence> prefills() {
        return prefilling(lanes.stream().filter(lane -> !awaitingPrompt.contains(lane)).map(Lane::sequence).toList());
    }

    @Override
    public boolean finished() {
        for (Lane lane : lanes) {
            if (!lane.sequence().finished()) {
                return false;
            }
        }
        return !lanes.isEmpty();
    }

    /** The lanes in sequence order. */
    protected List<Lane> lanes() {
        return lanes;
    }

    @Override
    protected Speculation speculation() {
        Speculation total = Speculation.NONE;
        for (Lane lane : lanes) {
            total = total.plus(lane.speculation());
        }
        return total;
    }

    @Override
    protected List<GenerationResult.Completion> completions() {
        return lanes.stream().map(lane -> lane.sequence().completion()).toList();
    }
}
