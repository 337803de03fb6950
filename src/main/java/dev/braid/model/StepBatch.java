package dev.braid.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ragged batch of one forward pass: every plan's query tokens laid end to end, plus the index
 * arrays the paged attention needs. Built once per step in plain Java; the transformer turns these
 * into tensors once and reuses them in every layer.
 */
public final class StepBatch {

    /** Additive attention bias for a key a query may not see; exp() of it is exactly zero. */
    static final float MASKED = -1e9f;

    private final List<StepPlan> plans;
    private final int[] tokenIds;
    private final int[] positions;
    private final int[] tokenOffsets;
    private final int[] logitOffsets;
    private final long[] logitRows;
    private final List<AttentionGroup> groups = new ArrayList<>();
    /** Context positions a plan may be padded by beyond doubling its context: short contexts pad cheaply. */
    private static final int PADDING_SLACK = 128;
    /**
     * Positions times plans from which a run the plans share is read in place beside their own
     * contexts rather than gathered with them: apart it costs a few more operations a layer, which
     * the chat template a batch of unrelated chats shares (a dozen positions) did not repay at 8 plans
     * on braid-base, while a 290-token system prompt did several times over (README, "Performance").
     * A run that is every plan's whole context costs no extra operation and is always read in place.
     */
    static final int SHARED_ROWS_READ_APART = 512;
    private final long[] restoreOrder;

    /**
     * Plans with the same number of query tokens attend together in one padded batch, so a decode
     * step never pays for the padding of a long prefill running beside it; and of those, plans whose
     * contexts are far apart in length attend apart ({@link #byContext}).
     *
     * @param contextSlots         rows of each sequence's cached context, {@code [batch * maxContext]},
     *                             padding rows point at slot 0 and are masked
     * @param tokenRows            indices into the flat token array, {@code [batch * queryLength]}
     * @param bias                 {@code [batch, queryLength, maxContext + queryLength]}, 0 or {@link #MASKED}
     * @param sharedLength         how many leading positions of every plan's context lie in the same run
     *                             of consecutive slots from {@link #sharedStart}: a lone plan's context
     *                             as the pool handed it out, a prompt's prefix that plans share
     */
    public record AttentionGroup(int batch, int queryLength, int maxContext,
                                 long[] contextSlots, long[] tokenRows, float[] bias, int sharedLength) {

        /** The first slot of the shared run: the first plan's first. */
        public long sharedStart() {
            return contextSlots[0];
        }

        /** Each plan's context slots past the shared run, {@code [batch * (maxContext - sharedLength)]}. */
        public long[] ownSlots() {
            int own = maxContext - sharedLength;
            if (sharedLength == 0) {
                return contextSlots;
            }
            long[] slots = new long[batch * own];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(contextSlots, b * maxContext + sharedLength, slots, b * own, own);
            }
            return slots;
        }
    }

    public StepBatch(List<StepPlan> plans) {
        if (plans.isEmpty()) {
            throw new IllegalArgumentException("a step batch needs at least one plan");
        }
        this.plans = List.copyOf(plans);
        int total = 0;
        int logits = 0;
        tokenOffsets = new int[plans.size() + 1];
        logitOffsets = new int[plans.size() + 1];
        for (int p = 0; p < plans.size(); p++) {
            tokenOffsets[p] = total;
            logitOffsets[p] = logits;
            total += plans.get(p).queryCount();
            logits += plans.get(p).logitCount();
        }
        tokenOffsets[plans.size()] = total;
        logitOffsets[plans.size()] = logits;

        tokenIds = new int[total];
        positions = new int[total];
        logitRows = new long[logits];
        for (int p = 0; p < plans.size(); p++) {
            StepPlan plan = plans.get(p);
            System.arraycopy(plan.tokens(), 0, tokenIds, tokenOffsets[p], plan.queryCount());
            System.arraycopy(plan.positions(), 0, positions, tokenOffsets[p], plan.queryCount());
            for (int i = 0; i < plan.logitCount(); i++) {
                logitRows[logitOffsets[p] + i] = tokenOffsets[p] + plan.logitsFrom() + i;
            }
        }

        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        for (int p = 0; p < plans.size(); p++) {
            byLength.computeIfAbsent(plans.get(p).queryCount(), k -> new ArrayList<>()).add(p);
        }
        restoreOrder = new long[total];
        int emitted = 0;
        for (Map.Entry<Integer, List<Integer>> entry : byLength.entrySet()) {
            for (List<Integer> members : byContext(entry.getValue())) {
                AttentionGroup group = group(entry.getKey(), members);
                for (long row : group.tokenRows()) {
                    restoreOrder[(int) row] = emitted++;
                }
                groups.add(group);
            }
        }
    }

    /**
     * Splits plans of one query length where padding would dominate: a group pads every context to
     * its longest, so one long context among short ones made each of them gather as many rows (six
     * one-token plans beside a 1,600-token context took 20 times as long as two). A plan joins the
     * group of longer ones while its context is at least half the longest, or within
     * {@link #PADDING_SLACK} of it; otherwise it starts a group of its own. Each group keeps its
     * plans in batch order, so a batch of like contexts stays one group in order.
     */
    private List<List<Integer>> byContext(List<Integer> members) {
        List<Integer> longestFirst = new ArrayList<>(members);
        longestFirst.sort((a, b) -> Integer.compare(plans.get(b).table().length(), plans.get(a).table().length()));
        List<List<Integer>> clusters = new ArrayList<>();
        int longest = 0;
        for (int p : longestFirst) {
            int context = plans.get(p).table().length();
            if (clusters.isEmpty() || (2 * context < longest && longest - context > PADDING_SLACK)) {
                clusters.add(new ArrayList<>());
                longest = context;
            }
            clusters.getLast().add(p);
        }
        clusters.forEach(java.util.Collections::sort);
        clusters.sort((a, b) -> Integer.compare(a.get(0), b.get(0)));
        return clusters;
    }

    private AttentionGroup group(int queryLength, List<Integer> members) {
        int batch = members.size();
        int maxContext = 0;
        int minContext = Integer.MAX_VALUE;
        for (int p : members) {
            maxContext = Math.max(maxContext, plans.get(p).table().length());
            minContext = Math.min(minContext, plans.get(p).table().length());
        }
        int keys = maxContext + queryLength;
        long[] contextSlots = new long[batch * maxContext];
        long[] tokenRows = new long[batch * queryLength];
        float[] bias = new float[batch * queryLength * keys];
        for (int b = 0; b < batch; b++) {
            StepPlan plan = plans.get(members.get(b));
            int context = plan.table().length();
            plan.table().copyContextSlots(contextSlots, b * maxContext);
            for (int q = 0; q < queryLength; q++) {
                tokenRows[b * queryLength + q] = tokenOffsets[members.get(b)] + q;
                int row = (b * queryLength + q) * keys;
                for (int k = context; k < maxContext; k++) {
                    bias[row + k] = MASKED;
                }
                for (int k = 0; k < queryLength; k++) {
                    if (!plan.mask().sees(q, k)) {
                        bias[row + maxContext + k] = MASKED;
                    }
                }
            }
        }
        int shared = sharedRun(contextSlots, batch, maxContext, minContext);
        if (shared < maxContext && (long) shared * batch < SHARED_ROWS_READ_APART) {
            // read beside the plans' own contexts, a short run costs more operations than its gather did
            shared = 0;
        }
        return new AttentionGroup(batch, queryLength, maxContext, contextSlots, tokenRows, bias, shared);
    }

    /**
     * How many leading positions, at most {@code upTo} (the shortest context, so no padding), every
     * plan's context has in the same run of consecutive slots as the first plan's.
     */
    static int sharedRun(long[] contextSlots, int batch, int maxContext, int upTo) {
        int shared = upTo;
        for (int b = 0; b < batch && shared > 0; b++) {
            for (int i = 0; i < shared; i++) {
                if (contextSlots[b * maxContext + i] != contextSlots[0] + i) {
                    shared = i;
                    break;
                }
            }
        }
        return shared;
    }

    public List<StepPlan> plans() {
        return plans;
    }

    public int tokenCount() {
        return tokenIds.length;
    }

    public int[] tokenIds() {
        return tokenIds;
    }

    public int[] positions() {
        return positions;
    }

    /** Offset of plan {@code p}'s first query token in the flat token array. */
    public int tokenOffset(int plan) {
        return tokenOffsets[plan];
    }

    /** Offset of plan {@code p}'s first logits row in the step's logits. */
    public int logitOffset(int plan) {
        return logitOffsets[plan];
    }

    public long[] logitRows() {
        return logitRows;
    }

    public List<AttentionGroup> groups() {
        return groups;
    }

    /** For each flat token, its row in the groups' concatenated attention output. */
    public long[] restoreOrder() {
        return restoreOrder;
    }

    /** True when the groups' concatenation already is the flat token order. */
    public boolean groupsInOrder() {
        for (int t = 0; t < restoreOrder.length; t++) {
            if (restoreOrder[t] != t) {
                return false;
            }
        }
        return true;
    }
}
